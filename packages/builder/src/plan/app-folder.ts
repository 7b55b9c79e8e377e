import type { Detection } from '../detection.js';
import { safeDir } from './runtime-tail.js';

/**
 * The folder an app of another stack runs from when its image is built from the whole repository
 * (its manifests use files outside its folder: `monorepo.context` is `.`), else undefined: the
 * build context is the app's own folder and the plan is the stack's usual one.
 */
export function appFolderInRepository(d: Detection): string | undefined {
  const m = d.monorepo;
  if (d.stack === 'node' || m?.context !== '.' || m.app === undefined) return undefined;
  const dir = safeDir(m.app, '.');
  return dir === '.' ? undefined : dir;
}

/**
 * Where the image of a detection is built from, relative to the repository: an app of another
 * stack's folder (`monorepo.context`), else the root — also when a person set the stack to Node,
 * whose plan builds a monorepo's app through the workspace. Never a path leaving the repository.
 */
export function buildContextOf(d: Detection): string {
  return d.stack === 'node' ? '.' : safeDir(d.monorepo?.context ?? null, '.');
}
