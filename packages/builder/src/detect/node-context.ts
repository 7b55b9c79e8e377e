import type { Command } from '../detection.js';
import type { NodeTooling } from './node-package-manager.js';
import type { TreeIndex } from './tree-index.js';

/** Everything the Node framework recognisers look at, read once. */
export interface NodeContext {
  tree: TreeIndex;
  /** Names of `dependencies` and `devDependencies`. */
  allDeps: Set<string>;
  /** Names of `dependencies` only: what the app needs at run time. */
  prodDeps: Set<string>;
  scripts: Record<string, string>;
  main: string | undefined;
  /** The ES module entry (`bun init` writes `"module": "index.ts"`). */
  module: string | undefined;
  /** The first command of `bin`. */
  bin: string | undefined;
  tooling: NodeTooling;
}

/** A path from the repository that is safe to pass as one argument: no spaces, quotes or `..`. */
export function safeRelativePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const p = path.replace(/^\.\//, '');
  if (!/^[\w@][\w./@-]{0,200}$/.test(p) || p.includes('..')) return undefined;
  return p;
}

/**
 * `node server.js`-style start scripts become the argv itself, so the process gets signals
 * directly rather than through npm. Anything fancier stays `npm run start`.
 */
export function simpleNodeCommand(script: string | undefined): Command | undefined {
  if (script === undefined || /[\n\r]/.test(script)) return undefined;
  const tokens = script.trim().split(/\s+/);
  if (tokens[0] !== 'node' || tokens.length < 2 || tokens.length > 6) return undefined;
  if (!tokens.every((t) => /^[\w./@=:-]{1,200}$/.test(t) && !t.includes('..'))) return undefined;
  return tokens;
}

/** The build step: the repository's `build` script, else the framework's own CLI. */
export function buildStep(ctx: NodeContext, cli: Command | undefined): Command[] {
  if (ctx.scripts.build !== undefined) return [ctx.tooling.run('build')];
  return cli ? [cli] : [];
}

/** The script file a start script runs (`bun run src/index.ts`, `tsx server.ts`), if it names one. */
export function fileInScript(script: string | undefined): string | undefined {
  if (script === undefined) return undefined;
  const m = /(?:^|\s)([\w@][\w./@-]{0,200}\.[cm]?[jt]sx?)(?=\s|$)/.exec(script.slice(0, 500));
  return safeRelativePath(m?.[1]);
}
