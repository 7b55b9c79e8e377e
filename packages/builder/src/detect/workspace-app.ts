import type { Command, Detection, Evidence, Monorepo, MonorepoPackage } from '../detection.js';
import type { MonorepoLayout } from './find-monorepo.js';
import { safeRelativePath } from './node-context.js';
import { runtimeVersion } from './node-detector.js';
import { looksLikeServer } from './node-entry.js';
import { readNodeManifest } from './node-manifest.js';
import { nodeTooling } from './node-package-manager.js';
import { sourcePort } from './source-port.js';
import { evidence, isRecord, stringRecord, type TreeIndex } from './tree-index.js';

/** One package of a workspace, detected on its own. */
export interface WorkspacePackage {
  dir: string;
  /** Its package.json (or project.json) name, else its folder's. */
  name: string;
  detection: Detection;
  /** An app berth can run: a Node start command or a site (libraries have neither). */
  deployable: boolean;
}

const SAFE_NAME = /^(?:@[\w.-]{1,100}\/)?[\w.-]{1,100}$/;

export function workspacePackage(index: TreeIndex, dir: string, detection: Detection): WorkspacePackage {
  const manifest = readNodeManifest(index, dir);
  const project = index.json(`${dir}/project.json`);
  const declared = [manifest?.pkg.name, project?.name].find(
    (n): n is string => typeof n === 'string' && SAFE_NAME.test(n),
  );
  const d = detection.stack === null && project ? (nxDetection(index, dir, project) ?? detection) : detection;
  const runs =
    d.staticDir !== null ||
    (d.start !== null && (d.framework !== null || startsServer(index, dir, manifest?.pkg, d)));
  const deployable = d.stack === 'node' && !d.dockerfile && runs;
  return { dir, name: declared ?? dir.split('/').pop()!, detection: d, deployable };
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
        ? `the package ${app.dir} is not a deployable app (deployable: ${names})`
        : `no package '${wanted}' in this monorepo (deployable: ${names})`,
    };
  }
  if (deployable.length === 0) return undefined;
  // Apps folders first: `apps/web` before `packages/docs`, as Turborepo and Nx lay them out.
  const ordered = [...deployable].sort((a, b) => rank(a.dir) - rank(b.dir) || a.dir.localeCompare(b.dir));
  const app = ordered[0]!;
  const why =
    deployable.length === 1
      ? `${app.dir}, the only deployable app`
      : `${app.dir}, the first of ${deployable.length} deployable apps (${ordered.map((p) => p.dir).join(', ')}); choose another with --app`;
  return { app, why };
}

function rank(dir: string): number {
  return /^apps?\//.test(dir) ? 0 : 1;
}

/**
 * The detection of a workspace root deploying one of its apps: dependencies installed at the root
 * (one lockfile), the app built through the monorepo's tool, started from its own folder.
 */
export function workspaceDetection(
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
    evidence(
      toolFile(index, layout),
      `monorepo (${layout.tool}) with ${packages.length} packages, ${packages.filter((p) => p.deployable).length} deployable`,
    ),
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
  if (layout.runner === 'nx') return [[...local('nx'), 'build', app.name]];
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
 */
function nxDetection(index: TreeIndex, dir: string, project: Record<string, unknown>): Detection | undefined {
  const targets = isRecord(project.targets)
    ? project.targets
    : isRecord(project.architect)
      ? project.architect
      : {};
  if (project.projectType === 'library') return undefined;
  const build = isRecord(targets.build) ? targets.build : inferredBuild(index, dir);
  if (!build) return undefined;
  const executor =
    typeof build.executor === 'string'
      ? build.executor
      : typeof build.builder === 'string'
        ? build.builder
        : '';
  const options = isRecord(build.options) ? build.options : {};
  const out =
    safeRelativePath(typeof options.outputPath === 'string' ? options.outputPath : undefined) ??
    `dist/${dir}`;
  const up = dir
    .split('/')
    .map(() => '..')
    .join('/');
  const base: Detection = {
    stack: 'node',
    framework: null,
    confidence: 80,
    evidence: [evidence('project.json', `Nx project, build executor ${executor || '(inferred)'}`)],
    packageManager: null,
    runtimeVersion: null,
    install: [],
    build: [['nx', 'build']],
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
  // Node apps (@nx/webpack, @nx/esbuild, @nx/js:tsc): the bundle's main.js; the port is in the source.
  const mainSource = [`${dir}/src/main.ts`, `${dir}/src/main.js`].find((f) => index.has(f));
  const text = mainSource ? (index.text(mainSource) ?? '') : '';
  const hint = sourcePort(text);
  return {
    ...base,
    start: ['node', `${up}/${out}/main.js`],
    port: hint.literal ?? 3000,
    portFromEnv: hint.fromEnv,
    evidence: [
      ...base.evidence,
      ...(mainSource ? [evidence(mainSource.slice(dir.length + 1), 'Nx node app entry')] : []),
    ],
  };
}

function isWebApp(index: TreeIndex, dir: string): boolean {
  return index.has(`${dir}/index.html`) || index.has(`${dir}/src/index.html`);
}

/**
 * Nx 17+ infers a project's build from its config files (its plugins read next.config, vite.config,
 * webpack.config): the same executor and output the plugin would use, from the file itself.
 */
function inferredBuild(index: TreeIndex, dir: string): Record<string, unknown> | undefined {
  const config = (base: string) =>
    ['js', 'ts', 'mjs', 'cjs', 'mts'].map((ext) => `${dir}/${base}.${ext}`).find((f) => index.has(f));
  if (config('next.config')) return { executor: '@nx/next:build (inferred)', options: { outputPath: dir } };
  const vite = config('vite.config');
  if (vite) {
    const out = /outDir\s*:\s*['"]([^'"\n]{1,200})['"]/.exec(index.text(vite) ?? '')?.[1];
    return { executor: '@nx/vite:build (inferred)', options: { outputPath: joinPath(dir, out ?? 'dist') } };
  }
  const webpack = config('webpack.config');
  if (webpack) {
    const out = /join\(\s*__dirname\s*,\s*['"]([^'"\n]{1,200})['"]\s*\)/.exec(index.text(webpack) ?? '')?.[1];
    return {
      executor: '@nx/webpack:webpack (inferred)',
      options: { outputPath: joinPath(dir, out ?? 'dist') },
    };
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
