import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRepoTree } from '../src/read-repo-tree.js';

describe('readRepoTree', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-tree-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('skips dependency and VCS directories, and does not follow symlinks', async () => {
    for (const d of ['src', 'node_modules/x', '.git', 'vendor/y', 'target/release'])
      await mkdir(join(dir, d), { recursive: true });
    for (const f of [
      'package.json',
      'src/a.js',
      'node_modules/x/index.js',
      '.git/HEAD',
      'vendor/y/z.php',
      'target/release/app',
    ]) {
      await writeFile(join(dir, f), 'x');
    }
    await symlink('/etc/passwd', join(dir, 'passwd'));
    const tree = await readRepoTree(dir);
    expect(tree.files).toEqual(['package.json', 'src/a.js']);
    expect(tree.read('passwd')).toBeUndefined();
    expect(tree.read('../outside')).toBeUndefined();
  });

  it('caps the file count and the size of what it reads', async () => {
    await writeFile(join(dir, 'big.txt'), 'x'.repeat(2000));
    for (let i = 0; i < 5; i++) await writeFile(join(dir, `f${i}`), 'y');
    const tree = await readRepoTree(dir, { maxFiles: 3, maxFileBytes: 1000 });
    expect(tree.files).toHaveLength(3);
    expect(tree.truncated).toBe(true);
    const full = await readRepoTree(dir, { maxFileBytes: 1000 });
    expect(full.read('big.txt')).toBeUndefined();
    expect(full.read('f0')).toBe('y');
  });
});
