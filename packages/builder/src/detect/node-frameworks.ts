import type { Candidate } from './candidate.js';
import { buildStep, type NodeContext } from './node-context.js';
import { evidence } from './tree-index.js';

/** What a recognised framework contributes to the Node candidate. */
export type FrameworkFields = Pick<Candidate, 'framework' | 'build' | 'port' | 'portFromEnv' | 'staticDir'> &
  Partial<Pick<Candidate, 'start' | 'notes' | 'evidence' | 'healthPath'>>;

interface NodeFramework {
  dep: string | ((ctx: NodeContext) => boolean);
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
    dep: (ctx) => [...ctx.allDeps].some((d) => d.startsWith('@remix-run/')),
    recognise: (ctx) => {
      const vite = configText(ctx, 'vite.config');
      const server = vite && /remix/.test(vite.text) ? 'build/server/index.js' : 'build/index.js';
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
  { dep: '@sveltejs/kit', recognise: sveltekit },
  { dep: 'astro', recognise: astro },
  { dep: 'gatsby', recognise: (ctx) => staticFrontend(ctx, 'gatsby', 'public', 'gatsby') },
  {
    dep: 'react-scripts',
    recognise: (ctx) => staticFrontend(ctx, 'create-react-app', 'build', 'react-scripts'),
  },
  { dep: 'vite', recognise: (ctx) => staticFrontend(ctx, 'vite', 'dist', 'vite') },
  { dep: 'fastify', recognise: (ctx) => server(ctx, 'fastify') },
  { dep: 'express', recognise: (ctx) => server(ctx, 'express') },
];

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
  return { framework, build: [], port: 3000, portFromEnv: false, staticDir: null };
}

export function recogniseFramework(ctx: NodeContext): FrameworkFields | undefined {
  const found = FRAMEWORKS.find((f) => (typeof f.dep === 'string' ? ctx.allDeps.has(f.dep) : f.dep(ctx)));
  return found?.recognise(ctx);
}
