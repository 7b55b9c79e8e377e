import { fileURLToPath } from 'node:url';
import { type DiskRepoTree, readRepoTree } from '../src/read-repo-tree.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixtureTree(name: string): Promise<DiskRepoTree> {
  return readRepoTree(FIXTURES + name);
}

/** Deterministic "random" bytes, so generated passwords are the same on every run. */
export function fixedRandom(): (length: number) => Uint8Array {
  let n = 0;
  return (length) => Uint8Array.from({ length }, () => (n++ * 37 + 11) & 255);
}
