import type { Command, Evidence } from '../detection.js';
import { fileInScript, type NodeContext, safeRelativePath } from './node-context.js';
import { json5ToJson } from './node-manifest.js';
import { evidence, isRecord } from './tree-index.js';

const BASES = ['server', 'index', 'app', 'main', 'src/index', 'src/server', 'src/app', 'src/main'];
const EXTENSIONS = ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'];
const TS = /\.[cm]?tsx?$/;
/** Folders a build writes to: a `main` there is produced by the build, its source is elsewhere. */
const OUTPUT_DIR = /^(?:dist|build|lib|out|output)\//;
/** Where berth compiles TypeScript when the project has no build of its own. */
export const TSC_OUT = '.berth/dist';

export interface NodeEntry {
  /** The file that starts the app, as it is in the repository (`src/index.ts`). */
  file: string;
  /** Which rule found it, for the evidence. */
  how: string;
}

/** The file the app starts from: the start script's, `main`/`module`/`bin`, else the usual names. */
export function findEntry(ctx: NodeContext): NodeEntry | undefined {
  const declared: [string | undefined, string][] = [
    [fileInScript(ctx.scripts.start), 'named by the "start" script'],
    [safeRelativePath(ctx.main), '"main" of package.json'],
    [safeRelativePath(ctx.module), '"module" of package.json'],
    [safeRelativePath(ctx.bin), '"bin" of package.json'],
  ];
  for (const [file, how] of declared) {
    if (file !== undefined && ctx.tree.has(file)) return { file, how };
  }
  for (const [file, how] of declared.slice(1)) {
    const source = file === undefined ? undefined : sourceOf(ctx, file);
    if (source) return { file: source, how: `the source of ${how} (${file}, written by a build)` };
  }
  // Beside an index.html, a main.js or app.js by its name alone is the page's script, not a server.
  const site = ctx.tree.has('index.html');
  for (const base of BASES) {
    for (const ext of EXTENSIONS) {
      const file = `${base}.${ext}`;
      if (ctx.tree.has(file) && (!site || looksLikeServer(ctx.tree.text(file))))
        return { file, how: 'entry file' };
    }
  }
  return undefined;
}

/** Source that starts a server: listen(), Bun.serve(), createServer(), or a default export with fetch. */
export function looksLikeServer(text: string | undefined): boolean {
  return /\.listen\(|Bun\.serve\(|createServer\(|\bserve\(|export\s+default\s+\{[^}]{0,300}\bfetch\b/.test(
    (text ?? '').slice(0, 64 * 1024),
  );
}

/** `dist/index.js` that only a build makes → `src/index.ts` or `index.ts`, when that exists. */
function sourceOf(ctx: NodeContext, built: string): string | undefined {
  if (!/\.[cm]?js$/.test(built)) return undefined;
  const stem = built.replace(/\.[cm]?js$/, '');
  const inner = stem.replace(OUTPUT_DIR, '');
  const stems = [stem, `src/${inner}`, inner];
  for (const s of stems) {
    for (const ext of ['ts', 'mts', 'cts', 'tsx']) if (ctx.tree.has(`${s}.${ext}`)) return `${s}.${ext}`;
  }
  return undefined;
}

export function isTypeScript(file: string): boolean {
  return TS.test(file);
}

/** How a TypeScript entry is run, and what was chosen, for the evidence. */
export interface TsPlan {
  build: Command[];
  start: Command;
  evidence: Evidence;
}

/**
 * TypeScript runs through the project's own build when it has one, else through the runtime that
 * runs it: Bun runs `.ts`; Node uses the project's `tsx` or `ts-node`, else berth compiles with tsc.
 */
export function typeScriptPlan(ctx: NodeContext, entry: string, bun: boolean): TsPlan {
  if (bun) return { build: [], start: ['bun', entry], evidence: evidence(entry, 'TypeScript run by Bun') };
  if (ctx.scripts.build !== undefined) {
    const out = builtFile(ctx, entry);
    return {
      build: [ctx.tooling.run('build')],
      start: ['node', out],
      evidence: evidence('package.json', `TypeScript compiled by the "build" script, then node ${out}`),
    };
  }
  for (const runner of ['tsx', 'ts-node']) {
    if (ctx.allDeps.has(runner))
      return {
        build: [],
        start: [`node_modules/.bin/${runner}`, entry],
        evidence: evidence('package.json', `TypeScript run with ${runner} (a dependency of the project)`),
      };
  }
  const js = `${TSC_OUT}/${entry.replace(/\.(c|m)?tsx?$/, (_m, k: string | undefined) => `.${k ?? ''}js`)}`;
  const tsc = ctx.allDeps.has('typescript')
    ? 'node_modules/.bin/tsc'
    : 'npx --yes --package typescript@5 tsc';
  const args = ctx.tree.has('tsconfig.json')
    ? `-p tsconfig.json --outDir ${TSC_OUT} --rootDir . --noEmit false`
    : `${entry} --outDir ${TSC_OUT} --rootDir . --module nodenext --target es2022 --skipLibCheck --esModuleInterop`;
  return {
    // tsc exits 2 on a type error yet still writes the JavaScript: the build fails only without it.
    build: [['sh', '-c', `${tsc} ${args}; test -f ${js}`]],
    start: ['node', js],
    evidence: evidence(
      entry,
      `TypeScript without a build script or runner: compiled with tsc${ctx.allDeps.has('typescript') ? '' : ' (fetched by npx)'} into ${TSC_OUT}`,
    ),
  };
}

/** Where the project's build writes the entry: `main` when it names a `.js`, else tsconfig's outDir. */
function builtFile(ctx: NodeContext, entry: string): string {
  const main = safeRelativePath(ctx.main);
  if (main && /\.[cm]?js$/.test(main)) return main;
  const config = tsconfig(ctx);
  const outDir = safeRelativePath(stringAt(config, 'outDir')) ?? 'dist';
  const rootDir = safeRelativePath(stringAt(config, 'rootDir')) ?? (entry.startsWith('src/') ? 'src' : '.');
  const rel = rootDir === '.' ? entry : entry.replace(new RegExp(`^${rootDir.replace(/\./g, '\\.')}/`), '');
  return `${outDir.replace(/\/$/, '')}/${rel.replace(/\.(c|m)?tsx?$/, (_m, k: string | undefined) => `.${k ?? ''}js`)}`;
}

function tsconfig(ctx: NodeContext): Record<string, unknown> {
  const text = ctx.tree.text('tsconfig.json');
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(json5ToJson(text.slice(0, 256 * 1024)));
    return isRecord(value) && isRecord(value.compilerOptions) ? value.compilerOptions : {};
  } catch {
    return {};
  }
}

function stringAt(record: Record<string, unknown>, key: string): string | undefined {
  const v = record[key];
  return typeof v === 'string' ? v : undefined;
}
