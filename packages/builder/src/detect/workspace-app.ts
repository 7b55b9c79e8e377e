import type { Command, Detection, Evidence, Monorepo, MonorepoPackage } from '../detection.js';
import type { MonorepoLayout } from './find-monorepo.js';
import { safeRelativePath } from './node-context.js';
import { runtimeVersion } from './node-detector.js';
import { looksLikeServer } from './node-entry.js';
import { readNodeManifest } from './node-manifest.js';
import { nodeTooling } from './node-package-manager.js';
import { sourcePort } from './source-port.js';
import {
  isStackApp,
  type OutsideReference,
  outsideReference,
  stackAppDetection,
  stackAppProblem,
} from './stack-app.js';
import { evidence, isRecord, stringRecord, type TreeIndex } from './tree-index.js';

/** One package of a workspace, detected on its own. */
export interface WorkspacePackage {
  dir: string;
  /** Its package.json (or project.json) name, else its folder's. */
  name: string;
  detection: Detection;
  /**
   * An app berth can run: a Node start command or a site (libraries have neither), or an app of
   * another stack (a Python or Go service) that starts.
   */
  deployable: boolean;
  /** Why it is not deployable, when its own files say what is missing (an Nx project without a build). */
  missing?: string;
  /** For an app of another stack: the first path its manifests name outside its folder. */
  outside?: OutsideReference;
}

const SAFE_NAME = /^(?:@[\w.-]{1,100}\/)?[\w.-]{1,100}$/;

export function workspacePackage(index: TreeIndex, dir: string, detection: Detection): WorkspacePackage {
  const manifest = readNodeManifest(index, dir);
  // An Nx project's configuration: its project.json, else the `nx` field of its package.json (Nx 20+).
  const inPackage = isRecord(manifest?.pkg.nx) ? manifest.pkg.nx : undefined;
  const project = index.json(`${dir}/project.json`) ?? inPackage;
  // Nx names a project by its configuration, else its package.json.
  const declared = [project?.name, manifest?.pkg.name].find(
    (n): n is string => typeof n === 'string' && SAFE_NAME.test(n),
  );
  const name = declared ?? dir.split('/').pop()!;
  const runs = (d: Detection) =>
    d.staticDir !== null ||
    (d.start !== null && (d.framework !== null || startsServer(index, dir, manifest?.pkg, d)));
  // Nx's configuration says how to build what the files alone do not run: a folder without a
  // package.json (its index.html is a source, not a site), or a Node package with nothing that
  // starts a server (its entry is a TypeScript source Nx compiles).
  const nxOwned =
    detection.stack === null ||
    (detection.stack === 'static' && !manifest) ||
    (detection.stack === 'node' && !runs(detection));
  const nx = project && nxOwned ? nxDetection(index, dir, project, name) : undefined;
  const built = nx && !('missing' in nx) ? nx : undefined;
  const d = built ?? detection;
  // What Nx builds runs if its source entry listens (the bundle is not there before the build).
  const entry = built?.evidence.find((e) => e.reason === 'Nx node app entry')?.file;
  const listens =
    built && manifest && built.start !== null && built.framework === null
      ? looksLikeServer(entry ? index.text(`${dir}/${entry}`) : undefined)
      : runs(d);
  if (isStackApp(d) || unsupportedStack(d)) return otherStackPackage(index, dir, name, d);
  const deployable = d.stack === 'node' && !d.dockerfile && listens;
  return { dir, name, detection: d, deployable, ...(nx && 'missing' in nx ? { missing: nx.missing } : {}) };
}

/** What a folder of a stack berth does not build is (`unsupported stack: Elixir (Mix) (mix.exs)`). */
function unsupportedStack(d: Detection): string | undefined {
  return d.unsupported?.reason.startsWith('unsupported stack') ? d.unsupported.reason : undefined;
}

/** A package or folder whose own files are another stack: deployable when that stack's app starts. */
function otherStackPackage(index: TreeIndex, dir: string, name: string, d: Detection): WorkspacePackage {
  const unsupported = unsupportedStack(d);
  if (unsupported) return { dir, name, detection: d, deployable: false, missing: `${dir}: ${unsupported}` };
  const outside = outsideReference(index, dir);
  const problem = stackAppProblem(dir, d, outside);
  return {
    dir,
    name,
    detection: d,
    deployable: problem === undefined,
    ...(problem ? { missing: problem } : {}),
    ...(outside ? { outside } : {}),
  };
}

/**
 * In a workspace, a package with only an entry file is a library unless it says it runs: a start
 * script, or an entry that listens.
 */
function startsServer(
  index: TreeIndex,
  dir: string,
  pkg: Record<string, unknown> | undefined,
  d: Detection,
): boolean {
  if (pkg && stringRecord(pkg.scripts).start !== undefined) return true;
  if (!pkg) return true;
  const file = d.start?.[1];
  const text = file ? index.text(`${dir}/${file}`) : undefined;
  return looksLikeServer(text);
}

export function monorepoOf(layout: MonorepoLayout, packages: WorkspacePackage[], app?: string): Monorepo {
  return {
    tool: layout.tool,
    packages: packages.map(
      (p): MonorepoPackage => ({
        path: p.dir,
        stack: p.detection.stack,
        framework: p.detection.framework,
        ...(layout.runner ? { deployable: p.deployable } : {}),
      }),
    ),
    ...(app ? { app } : {}),
  };
}

/** The app asked for (by folder, name or last folder name), else the only or the first deployable one. */
export function chooseApp(
  packages: WorkspacePackage[],
  wanted: string | undefined,
): { app: WorkspacePackage; why: string } | { problem: string } | undefined {
  const deployable = packages.filter((p) => p.deployable);
  if (wanted !== undefined) {
    const w = wanted.replace(/^\.\//, '').replace(/\/+$/, '');
    const app = packages.find((p) => p.dir === w || p.name === w || p.dir.split('/').pop() === w);
    if (app?.deployable) return { app, why: `${app.dir}, as asked` };
    const names = deployable.map((p) => p.dir).join(', ') || 'none';
    return {
      problem: app
        ? `the package ${app.dir} is not a deployable app${app.missing ? `: ${app.missing}` : ''} (deployable: ${names})`
        : `no package '${wanted}' in this monorepo (deployable: ${names})`,
    };
  }
  // An app of another stack is deployed only when asked for: without --app, the Node apps.
  const node = deployable.filter((p) => p.detection.stack === 'node');
  if (node.length === 0) return undefined;
  // Apps folders first: `apps/web` before `packages/docs`, as Turborepo and Nx lay them out.
  const ordered = [...node].sort((a, b) => rank(a.dir) - rank(b.dir) || a.dir.localeCompare(b.dir));
  const app = ordered[0]!;
  const others = otherStackApps(packages);
  const kind = others ? 'deployable Node app' : 'deployable app';
  const why =
    node.length === 1
      ? `${app.dir}, the only ${kind}`
      : `${app.dir}, the first of ${node.length} ${kind}s (${ordered.map((p) => p.dir).join(', ')}); choose another with --app`;
  return { app, why: others ? `${why} (${others})` : why };
}

/** The deployable apps of other stacks, said with their stacks: `apps/api (python / fastapi)`. */
export function otherStackApps(packages: WorkspacePackage[]): string | undefined {
  const others = packages.filter((p) => p.deployable && p.detection.stack !== 'node');
  if (others.length === 0) return undefined;
  const list = others
    .map((p) => `${p.dir} (${[p.detection.stack, p.detection.framework].filter(Boolean).join(' / ')})`)
    .join(', ');
  return `apps of other stacks, deployed only with --app: ${list}`;
}

function rank(dir: string): number {
  return /^apps?\//.test(dir) ? 0 : 1;
}

/** The detection of the app chosen: a Node app through the workspace, an app of another stack by its own. */
export function chosenAppDetection(
  index: TreeIndex,
  layout: MonorepoLayout,
  packages: WorkspacePackage[],
  chosen: { app: WorkspacePackage; why: string },
): Detection {
  if (chosen.app.detection.stack === 'node') return workspaceDetection(index, layout, packages, chosen);
  return stackAppDetection(chosen.app, chosen.why, {
    layout,
    toolFile: toolFile(index, layout),
    summary: summary(layout, packages),
    monorepo: monorepoOf(layout, packages, chosen.app.dir),
  });
}

function summary(layout: MonorepoLayout, packages: WorkspacePackage[]): string {
  return `monorepo (${layout.tool}) with ${packages.length} packages, ${packages.filter((p) => p.deployable).length} deployable`;
}

/**
 * The detection of a workspace root deploying one of its apps: dependencies installed at the root
 * (one lockfile), the app built through the monorepo's tool, started from its own folder.
 */
function workspaceDetection(
  index: TreeIndex,
  layout: MonorepoLayout,
  packages: WorkspacePackage[],
  chosen: { app: WorkspacePackage; why: string },
): Detection {
  const { app, why } = chosen;
  const root = readNodeManifest(index);
  const rootDeps = new Set([
    ...Object.keys(stringRecord(root?.pkg.dependencies)),
    ...Object.keys(stringRecord(root?.pkg.devDependencies)),
  ]);
  const declared = typeof root?.pkg.packageManager === 'string' ? root.pkg.packageManager : undefined;
  const tooling = nodeTooling(index, declared);
  const d = app.detection;
  const appScripts = stringRecord(readNodeManifest(index, app.dir)?.pkg.scripts);
  const hasBuild = appScripts.build !== undefined || d.build.length > 0;
  const build = hasBuild
    ? buildThrough(layout, tooling.name, app, appScripts.build !== undefined, rootDeps)
    : [];
  const tool = layout.runner === 'turborepo' || layout.runner === 'nx' ? layout.runner : null;
  const found: Evidence[] = [
    evidence(toolFile(index, layout), summary(layout, packages)),
    evidence(app.dir, `deploying ${why}`),
    ...d.evidence.map((e) => ({ ...e, file: e.file === '.' ? app.dir : `${app.dir}/${e.file}` })),
    ...tooling.evidence,
  ];
  return {
    ...d,
    stack: 'node',
    framework: tool === 'turborepo' ? 'turborepo' : tool === 'nx' ? 'nx' : d.framework,
    evidence: found,
    packageManager: tooling.name,
    runtimeVersion: (root && runtimeVersion(index, root.pkg)) ?? d.runtimeVersion,
    install: tooling.install,
    build,
    start: d.start ? d.start.map(bare) : null,
    staticDir:
      d.staticDir === null
        ? null
        : d.staticDir.startsWith('/')
          ? d.staticDir.slice(1)
          : `${app.dir}/${d.staticDir}`.replace(/\/\.$/, ''),
    notes: [`deploying ${why}`, ...d.notes],
    monorepo: monorepoOf(layout, packages, app.dir),
  };
}

function toolFile(index: TreeIndex, layout: MonorepoLayout): string {
  if (layout.runner === 'turborepo') return 'turbo.json';
  if (layout.runner === 'nx') return index.first('nx.json', 'workspace.json') ?? 'package.json';
  return index.first('pnpm-workspace.yaml', 'lerna.json') ?? 'package.json';
}

/** `node_modules/.bin/next` → `next`: the plan puts the app's and the root's `.bin` on PATH (hoisting varies). */
function bare(arg: string, i: number): string {
  return i === 0 && arg.startsWith('node_modules/.bin/') ? arg.slice('node_modules/.bin/'.length) : arg;
}

function buildThrough(
  layout: MonorepoLayout,
  pm: string,
  app: WorkspacePackage,
  hasScript: boolean,
  rootDeps: Set<string>,
): Command[] {
  const local = (bin: string) => (rootDeps.has(bin) ? [`node_modules/.bin/${bin}`] : ['npx', '--yes', bin]);
  if (layout.runner === 'turborepo') return [[...local('turbo'), 'run', 'build', `--filter=${app.name}`]];
  if (layout.runner === 'nx') {
    // The project's own build target (`nx run api:build-app`), else `build` (a package.json script).
    const own = app.detection.build[0];
    return [
      own?.[0] === 'nx' && own.length > 1
        ? [...local('nx'), ...own.slice(1)]
        : [...local('nx'), 'build', app.name],
    ];
  }
  if (!hasScript) {
    // A framework's own CLI (`next build`) run in the app's folder, with the root's binaries at hand.
    const cmds = app.detection.build.map((c) => c.map(bare).join(' '));
    return cmds.map((c) => [
      'sh',
      '-c',
      `cd ${app.dir} && PATH="$PWD/node_modules/.bin:/app/node_modules/.bin:$PATH" ${c}`,
    ]);
  }
  switch (pm) {
    case 'pnpm':
      return [['pnpm', '--filter', app.name, 'run', 'build']];
    case 'yarn':
      return [['yarn', 'workspace', app.name, 'run', 'build']];
    case 'bun':
      return [['bun', 'run', '--filter', app.name, 'build']];
    default:
      return [['npm', 'run', 'build', `--workspace=${app.dir}`]];
  }
}

/**
 * An Nx project without a package.json of its own: its `project.json` names the executor of its
 * build target and where the output goes (root-relative; the start is relative to the project).
 * Without a build target, what it lacks is said instead.
 */
function nxDetection(
  index: TreeIndex,
  dir: string,
  project: Record<string, unknown>,
  name: string,
): Detection | { missing: string } {
  const targets = isRecord(project.targets)
    ? project.targets
    : isRecord(project.architect)
      ? project.architect
      : {};
  if (project.projectType === 'library') return { missing: `${dir} is an Nx library` };
  const found = buildTargetOf(targets, name) ?? inferredBuild(index, dir);
  if (!found || 'missing' in found) {
    const names = Object.keys(targets).slice(0, 10).join(', ') || 'none';
    return {
      missing: `the Nx project ${name} has no build target (its targets: ${names})${found ? `; ${found.missing}` : ', and no next, vite or webpack config for an Nx plugin to infer one from'}`,
    };
  }
  const { target } = found;
  // A build target that runs a command (`nx:run-commands`: `webpack-cli build`) makes what the
  // project's config says; the executor is read from that config.
  const command = /:run-commands$/.test(String(found.def.executor ?? ''))
    ? configBuild(index, dir)
    : undefined;
  const build = command?.def ?? found.def;
  const executor =
    typeof build.executor === 'string'
      ? build.executor
      : typeof build.builder === 'string'
        ? build.builder
        : '';
  const options = isRecord(build.options) ? build.options : {};
  const out =
    safeRelativePath(typeof options.outputPath === 'string' ? options.outputPath : undefined) ??
    declaredOutput(found.def, dir) ??
    `dist/${dir}`;
  const up = dir
    .split('/')
    .map(() => '..')
    .join('/');
  // The start runs in the project's folder: an output inside it is named from there.
  const fromProject = (path: string) =>
    path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : `${up}/${path}`;
  const base: Detection = {
    stack: 'node',
    framework: null,
    confidence: 80,
    evidence: [
      evidence(
        index.has(`${dir}/project.json`) ? 'project.json' : 'package.json',
        command
          ? `Nx project, its ${target} target runs a command; ${command.file.slice(dir.length + 1)} says what it makes`
          : target === 'build'
            ? `Nx project, build executor ${executor || '(inferred)'}`
            : `Nx project, built by its target ${target} (${executor || 'inferred'})`,
      ),
    ],
    packageManager: null,
    runtimeVersion: null,
    install: [],
    build: [target === 'build' ? ['nx', 'build', name] : ['nx', 'run', `${name}:${target}`]],
    start: null,
    port: 3000,
    portFromEnv: false,
    healthPath: '/',
    databases: [],
    staticDir: null,
    notes: [],
  };
  if (/:next|next:build/.test(executor)) {
    const start = out === dir ? ['next', 'start'] : ['next', 'start', `${up}/${out}`];
    return { ...base, framework: 'next', start, portFromEnv: true };
  }
  if (/angular|vite|:browser|:application|webpack-browser|:rollup/.test(executor) || isWebApp(index, dir)) {
    const browser = /:application$/.test(executor) ? `${out}/browser` : out;
    return {
      ...base,
      framework: /angular/.test(executor) ? 'angular' : null,
      staticDir: `/${browser}`,
      port: 8080,
      portFromEnv: true,
    };
  }
  // Node apps (@nx/webpack, @nx/esbuild, @nx/js:tsc): the bundle the build writes; the port is in the source.
  const main = safeRelativePath(typeof options.main === 'string' ? options.main : undefined);
  const mainSource =
    main && index.has(main) ? main : [`${dir}/src/main.ts`, `${dir}/src/main.js`].find((f) => index.has(f));
  const text = mainSource ? (index.text(mainSource) ?? '') : '';
  const hint = sourcePort(text);
  return {
    ...base,
    start: ['node', `${fromProject(out)}/${bundleOf(executor, options, dir, main)}`],
    port: hint.literal ?? 3000,
    portFromEnv: hint.fromEnv,
    evidence: [
      ...base.evidence,
      ...(mainSource ? [evidence(mainSource.slice(dir.length + 1), 'Nx node app entry')] : []),
    ],
  };
}

/**
 * The folder a target says it writes (`outputs`: `{workspaceRoot}/dist/apps/api`,
 * `{projectRoot}/dist`), as Nx caches it: how a command target names its output.
 */
function declaredOutput(target: Record<string, unknown>, dir: string): string | undefined {
  const first = Array.isArray(target.outputs) ? target.outputs.find((o) => typeof o === 'string') : undefined;
  if (typeof first !== 'string' || first.includes('{options.')) return undefined;
  return safeRelativePath(first.replace(/^\{workspaceRoot\}\//, '').replace(/^\{projectRoot\}/, dir));
}

/** Executors that build (not serve, lint or test). */
const BUILD_EXECUTOR =
  /:(?:webpack|esbuild|tsc|swc|rollup|rspack|build|browser|browser-esbuild|application)$/;

/**
 * The target that builds the project: `build`; else the one its serve target builds before
 * running (`buildTarget`, Angular's older `browserTarget`: `api:build-app`); else the first target
 * run by a build executor.
 */
function buildTargetOf(
  targets: Record<string, unknown>,
  name: string,
): { target: string; def: Record<string, unknown> } | undefined {
  const at = (target: string) => (isRecord(targets[target]) ? { target, def: targets[target] } : undefined);
  const build = at('build');
  if (build) return build;
  for (const def of Object.values(targets)) {
    const options = isRecord(def) && isRecord(def.options) ? def.options : {};
    const ref = [options.buildTarget, options.browserTarget].find((r): r is string => typeof r === 'string');
    const [project, target] = ref?.split(':') ?? [];
    const named = project === name && target ? at(target) : undefined;
    if (named) return named;
  }
  const byExecutor = Object.entries(targets).find(
    ([, def]) => isRecord(def) && typeof def.executor === 'string' && BUILD_EXECUTOR.test(def.executor),
  );
  return byExecutor ? at(byExecutor[0]) : undefined;
}

/**
 * The file a Node build writes: webpack and rspack name their bundle after the entry point's name
 * (`main.js`), esbuild after the entry file (`server.ts` → `server.js`), unless `outputFileName`
 * says otherwise; tsc and swc keep the entry's path inside the project (`src/main.js`).
 */
function bundleOf(
  executor: string,
  options: Record<string, unknown>,
  dir: string,
  main: string | undefined,
): string {
  const named = safeRelativePath(
    typeof options.outputFileName === 'string' ? options.outputFileName : undefined,
  );
  if (named) return named;
  const js = (path: string) => path.replace(/\.[cm]?[jt]sx?$/, '.js');
  if (main && /:(?:tsc|swc)$/.test(executor) && main.startsWith(`${dir}/`))
    return js(main.slice(dir.length + 1));
  if (main && /:esbuild$/.test(executor)) return js(main.split('/').pop()!);
  return 'main.js';
}

function isWebApp(index: TreeIndex, dir: string): boolean {
  return index.has(`${dir}/index.html`) || index.has(`${dir}/src/index.html`);
}

/**
 * Nx 17+ infers a project's build from its config files through the plugins nx.json lists
 * (@nx/next/plugin reads next.config, @nx/vite/plugin vite.config, @nx/webpack/plugin
 * webpack.config), under the target name the plugin is given (`buildTargetName`, default `build`):
 * the same executor and output the plugin would use, from the file itself.
 */
function inferredBuild(
  index: TreeIndex,
  dir: string,
): { target: string; def: Record<string, unknown> } | { missing: string } | undefined {
  const found = configBuild(index, dir);
  if (!found) return undefined;
  const listed = nxPlugin(index, `@nx/${found.kind}/plugin`);
  if (!listed)
    return {
      missing: `${found.file.slice(dir.length + 1)} is there, but nx.json does not list @nx/${found.kind}/plugin to infer a build from it`,
    };
  return { target: listed.buildTargetName ?? 'build', def: found.def };
}

/**
 * What a project's next, vite or webpack config says its build makes: the executor Nx's plugin
 * would use and the output folder (and, for webpack, the entry) read from the file itself.
 */
function configBuild(
  index: TreeIndex,
  dir: string,
): { kind: 'next' | 'vite' | 'webpack'; file: string; def: Record<string, unknown> } | undefined {
  const config = (base: string) =>
    ['js', 'ts', 'mjs', 'cjs', 'mts'].map((ext) => `${dir}/${base}.${ext}`).find((f) => index.has(f));
  const next = config('next.config');
  if (next)
    return {
      kind: 'next',
      file: next,
      def: { executor: '@nx/next:build (inferred)', options: { outputPath: dir } },
    };
  const vite = config('vite.config');
  if (vite) {
    const out = /outDir\s*:\s*['"]([^'"\n]{1,200})['"]/.exec(index.text(vite) ?? '')?.[1];
    return {
      kind: 'vite',
      file: vite,
      def: { executor: '@nx/vite:build (inferred)', options: { outputPath: joinPath(dir, out ?? 'dist') } },
    };
  }
  const webpack = config('webpack.config');
  if (webpack) {
    const text = index.text(webpack) ?? '';
    const out = /join\(\s*__dirname\s*,\s*['"]([^'"\n]{1,200})['"]\s*\)/.exec(text)?.[1];
    const main = /\bmain\s*:\s*['"]\.\/([\w./-]{1,200})['"]/.exec(text)?.[1];
    return {
      kind: 'webpack',
      file: webpack,
      def: {
        executor: '@nx/webpack:webpack (inferred)',
        options: { outputPath: joinPath(dir, out ?? 'dist'), ...(main ? { main: `${dir}/${main}` } : {}) },
      },
    };
  }
  return undefined;
}

/** A plugin nx.json lists (by name, or `{ plugin, options }`), with the build target name it is given. */
function nxPlugin(index: TreeIndex, name: string): { buildTargetName?: string } | undefined {
  const plugins = index.json('nx.json')?.plugins;
  if (!Array.isArray(plugins)) return undefined;
  for (const p of plugins) {
    if (p === name) return {};
    if (isRecord(p) && p.plugin === name) {
      const target = isRecord(p.options) ? p.options.buildTargetName : undefined;
      return typeof target === 'string' && /^[\w:.-]{1,100}$/.test(target) ? { buildTargetName: target } : {};
    }
  }
  return undefined;
}

/** `apps/api` + `../../dist/apps/api` → `dist/apps/api`; undefined when it leaves the repository. */
function joinPath(dir: string, rel: string): string | undefined {
  const parts = dir.split('/');
  for (const part of rel.replace(/^\.\//, '').split('/')) {
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}
