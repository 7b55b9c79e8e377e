import type { Candidate } from './candidate.js';
import { buildStep, type NodeContext, safeRelativePath, simpleNodeCommand } from './node-context.js';
import { evidence, isRecord } from './tree-index.js';

/** What a recognised framework contributes to the Node candidate. */
export type FrameworkFields = Pick<Candidate, 'framework' | 'build' | 'port' | 'portFromEnv' | 'staticDir'> &
  Partial<Pick<Candidate, 'start' | 'notes' | 'evidence' | 'healthPath'>> & {
    /** The dependency (or file) that named the framework, as it is written in the repository. */
    via?: string;
    /** The port is read from the entry file the start command runs (a plain server). */
    portFromSource?: boolean;
  };

interface NodeFramework {
  /** A dependency name, or a test returning the dependency or file that gave it away. */
  dep: string | ((ctx: NodeContext) => string | undefined);
  recognise(ctx: NodeContext): FrameworkFields;
}

/** Frontends whose build emits files served by a small static server, on 8080. */
function staticFrontend(ctx: NodeContext, framework: string, dir: string, cli: string): FrameworkFields {
  return {
    framework,
    build: buildStep(ctx, [`node_modules/.bin/${cli}`, 'build']),
    start: null,
    port: 8080,
    portFromEnv: true,
    staticDir: dir,
  };
}

const configText = (ctx: NodeContext, base: string): { file: string; text: string } | undefined => {
  for (const ext of ['js', 'mjs', 'cjs', 'ts', 'mts']) {
    const file = `${base}.${ext}`;
    const text = ctx.tree.text(file);
    if (text !== undefined) return { file, text };
  }
  return undefined;
};

// Order matters: meta-frameworks first, since they depend on the bundlers and servers below.
const FRAMEWORKS: NodeFramework[] = [
  {
    dep: '@nestjs/core',
    recognise: (ctx) => ({
      framework: 'nestjs',
      build: buildStep(ctx, ['node_modules/.bin/nest', 'build']),
      start: ctx.scripts['start:prod'] !== undefined ? ctx.tooling.run('start:prod') : ['node', 'dist/main'],
      port: 3000,
      portFromEnv: /process\.env\.PORT/.test(ctx.tree.text('src/main.ts') ?? ''),
      staticDir: null,
    }),
  },
  {
    // React Router v7 "framework mode" (Remix's successor): its own build and server.
    dep: (ctx) =>
      ctx.allDeps.has('@react-router/dev')
        ? '@react-router/dev'
        : configText(ctx, 'react-router.config')?.file,
    recognise: (ctx) => {
      const build = buildStep(ctx, ['node_modules/.bin/react-router', 'build']);
      const config = configText(ctx, 'react-router.config');
      if (config && /\bssr\s*:\s*false\b/.test(config.text)) {
        return {
          ...staticFrontend(ctx, 'react-router', 'build/client', 'react-router'),
          build,
          evidence: [evidence(config.file, 'ssr: false: a single-page app')],
        };
      }
      const own = ownServer(ctx);
      if (own) return { framework: 'react-router', build, ...own };
      return {
        framework: 'react-router',
        build,
        start: ['node_modules/.bin/react-router-serve', './build/server/index.js'],
        port: 3000,
        portFromEnv: true,
        staticDir: null,
        notes: ctx.allDeps.has('@react-router/serve')
          ? []
          : ['@react-router/serve is not a dependency: react-router-serve may be missing from the image'],
      };
    },
  },
  {
    dep: (ctx) =>
      ['@tanstack/react-start', '@tanstack/solid-start', '@tanstack/start'].find((d) => ctx.allDeps.has(d)),
    recognise: (ctx) => {
      const vinxi = ctx.allDeps.has('vinxi');
      return {
        framework: 'tanstack-start',
        build: buildStep(
          ctx,
          vinxi ? ['node_modules/.bin/vinxi', 'build'] : ['node_modules/.bin/vite', 'build'],
        ),
        // Nitro's node server, which listens on $PORT (3000 without it).
        start: ['node', '.output/server/index.mjs'],
        port: 3000,
        portFromEnv: true,
        staticDir: null,
      };
    },
  },
  {
    dep: 'next',
    recognise: (ctx) => {
      const config = configText(ctx, 'next.config');
      if (config && /output\s*:\s*["']export["']/.test(config.text)) {
        return {
          ...staticFrontend(ctx, 'next', 'out', 'next'),
          evidence: [evidence(config.file, "output: 'export'")],
        };
      }
      return {
        framework: 'next',
        build: buildStep(ctx, ['node_modules/.bin/next', 'build']),
        start: ['node_modules/.bin/next', 'start'],
        port: 3000,
        portFromEnv: true,
        staticDir: null,
      };
    },
  },
  {
    dep: 'nuxt',
    recognise: (ctx) => ({
      framework: 'nuxt',
      build: buildStep(ctx, ['node_modules/.bin/nuxt', 'build']),
      start: ['node', '.output/server/index.mjs'],
      port: 3000,
      portFromEnv: true,
      staticDir: null,
    }),
  },
  {
    dep: (ctx) => [...ctx.allDeps].find((d) => d.startsWith('@remix-run/')),
    recognise: (ctx) => {
      const vite = configText(ctx, 'vite.config');
      const server = vite && /remix/.test(vite.text) ? 'build/server/index.js' : 'build/index.js';
      const own = ownServer(ctx);
      if (own)
        return { framework: 'remix', build: buildStep(ctx, ['node_modules/.bin/remix', 'build']), ...own };
      return {
        framework: 'remix',
        build: buildStep(ctx, ['node_modules/.bin/remix', 'build']),
        start: ['node_modules/.bin/remix-serve', server],
        port: 3000,
        portFromEnv: true,
        staticDir: null,
      };
    },
  },
  { dep: '@angular/core', recognise: angular },
  { dep: '@sveltejs/kit', recognise: sveltekit },
  { dep: 'astro', recognise: astro },
  { dep: 'gatsby', recognise: (ctx) => staticFrontend(ctx, 'gatsby', 'public', 'gatsby') },
  {
    dep: 'expo',
    recognise: (ctx) => ({
      ...staticFrontend(ctx, 'expo', 'dist', 'expo'),
      // `expo export -p web` writes the web build to dist/ (a build script may do the same).
      build:
        ctx.scripts.build !== undefined
          ? [ctx.tooling.run('build')]
          : [['node_modules/.bin/expo', 'export', '-p', 'web']],
    }),
  },
  {
    dep: '@vue/cli-service',
    recognise: (ctx) => staticFrontend(ctx, 'vue-cli', 'dist', 'vue-cli-service'),
  },
  {
    dep: 'react-scripts',
    recognise: (ctx) => staticFrontend(ctx, 'create-react-app', 'build', 'react-scripts'),
  },
  { dep: 'vite', recognise: vite },
  { dep: 'fastify', recognise: (ctx) => server(ctx, 'fastify') },
  { dep: 'express', recognise: (ctx) => server(ctx, 'express') },
  { dep: 'koa', recognise: (ctx) => server(ctx, 'koa') },
  { dep: '@hapi/hapi', recognise: (ctx) => server(ctx, 'hapi') },
  { dep: 'hono', recognise: (ctx) => server(ctx, 'hono') },
  { dep: 'elysia', recognise: (ctx) => server(ctx, 'elysia') },
];

/**
 * A start script running the app's own server file (`node server.js`, a custom Express server of
 * a Remix or React Router app) wins over the framework's server: its port is read from that file.
 */
function ownServer(
  ctx: NodeContext,
):
  | Pick<FrameworkFields, 'start' | 'port' | 'portFromEnv' | 'portFromSource' | 'staticDir' | 'evidence'>
  | undefined {
  const own = simpleNodeCommand(ctx.scripts.start);
  if (!own) return undefined;
  return {
    start: own,
    port: 3000,
    portFromEnv: false,
    portFromSource: true,
    staticDir: null,
    evidence: [evidence('package.json', `the "start" script runs the app's own server (${own.join(' ')})`)],
  };
}

/** Programs that serve files, not an app: a start script running one of them is not a server of the app's own. */
const FILE_SERVERS = /^\s*(?:npx\s+)?(?:vite|serve|http-server|sirv|live-server|lite-server)\b/;

/**
 * Vite alone builds a static site — unless the start script runs a server of the app's own (a
 * server-rendered Vite app: `node server.js`), which then wins.
 */
function vite(ctx: NodeContext): FrameworkFields {
  const start = ctx.scripts.start;
  if (start === undefined || FILE_SERVERS.test(start)) return staticFrontend(ctx, 'vite', 'dist', 'vite');
  return {
    framework: 'vite',
    build: buildStep(ctx, ['node_modules/.bin/vite', 'build']),
    start: simpleNodeCommand(start) ?? ctx.tooling.run('start'),
    port: 3000,
    portFromEnv: false,
    portFromSource: true,
    staticDir: null,
    evidence: [
      evidence('package.json', 'the "start" script runs a server: server-rendered, not a static site'),
    ],
  };
}

function angular(ctx: NodeContext): FrameworkFields {
  const project = angularProject(ctx);
  const ng = buildStep(ctx, ['node_modules/.bin/ng', 'build']);
  const found = project
    ? [evidence('angular.json', `project "${project.name}", output ${project.base}`)]
    : [];
  const base = project?.base ?? 'dist';
  if (ctx.allDeps.has('@angular/ssr')) {
    return {
      framework: 'angular',
      build: ng,
      // The server.ts Angular generates listens on process.env.PORT, else 4000.
      start: ['node', `${base}/server/server.mjs`],
      port: 4000,
      portFromEnv: true,
      staticDir: null,
      evidence: [...found, evidence('package.json', 'depends on @angular/ssr: server-rendered')],
    };
  }
  return { ...staticFrontend(ctx, 'angular', project?.browser ?? 'dist', 'ng'), build: ng, evidence: found };
}

/** The application project of angular.json and where `ng build` writes it. */
function angularProject(ctx: NodeContext): { name: string; base: string; browser: string } | undefined {
  const json = ctx.tree.json('angular.json');
  const projects = isRecord(json?.projects) ? json.projects : {};
  const names = Object.keys(projects);
  const preferred = typeof json?.defaultProject === 'string' ? json.defaultProject : undefined;
  const name =
    [preferred, ...names].find(
      (n) =>
        n !== undefined &&
        isRecord(projects[n]) &&
        (projects[n] as Record<string, unknown>).projectType !== 'library',
    ) ?? undefined;
  if (name === undefined || !/^[\w.-]{1,100}$/.test(name)) return undefined;
  const p = projects[name] as Record<string, unknown>;
  const targets = isRecord(p.architect) ? p.architect : isRecord(p.targets) ? p.targets : {};
  const build = isRecord(targets.build) ? targets.build : {};
  const builder = typeof build.builder === 'string' ? build.builder : '';
  const options = isRecord(build.options) ? build.options : {};
  const out = options.outputPath;
  const base =
    safeRelativePath(
      typeof out === 'string' ? out : isRecord(out) && typeof out.base === 'string' ? out.base : undefined,
    ) ?? `dist/${name}`;
  // The application builder (Angular 17+) writes browser files under browser/; the older one, at the root.
  const browserSub = isRecord(out) && typeof out.browser === 'string' ? out.browser : 'browser';
  const application = /:application$/.test(builder) || builder === '';
  const browser =
    application && browserSub !== '' ? `${base}/${safeRelativePath(browserSub) ?? 'browser'}` : base;
  return { name, base, browser };
}

function sveltekit(ctx: NodeContext): FrameworkFields {
  if (ctx.allDeps.has('@sveltejs/adapter-static')) return staticFrontend(ctx, 'sveltekit', 'build', 'vite');
  const base: FrameworkFields = {
    framework: 'sveltekit',
    build: buildStep(ctx, ['node_modules/.bin/vite', 'build']),
    start: ['node', 'build'],
    port: 3000,
    portFromEnv: true,
    staticDir: null,
  };
  if (ctx.allDeps.has('@sveltejs/adapter-node')) return base;
  return {
    ...base,
    notes: ['SvelteKit without @sveltejs/adapter-node: the build may not emit a Node server in build/'],
  };
}

function astro(ctx: NodeContext): FrameworkFields {
  if (!ctx.allDeps.has('@astrojs/node')) return staticFrontend(ctx, 'astro', 'dist', 'astro');
  return {
    framework: 'astro',
    build: buildStep(ctx, ['node_modules/.bin/astro', 'build']),
    start: ['node', 'dist/server/entry.mjs'],
    port: 4321,
    portFromEnv: true,
    staticDir: null,
  };
}

/** Placeholder filled by the Node detector, which knows the entry file. */
function server(_ctx: NodeContext, framework: string): FrameworkFields {
  return { framework, build: [], port: 3000, portFromEnv: false, portFromSource: true, staticDir: null };
}

export function recogniseFramework(ctx: NodeContext): FrameworkFields | undefined {
  for (const f of FRAMEWORKS) {
    const via = typeof f.dep === 'string' ? (ctx.allDeps.has(f.dep) ? f.dep : undefined) : f.dep(ctx);
    if (via !== undefined) return { ...f.recognise(ctx), via };
  }
  return undefined;
}
