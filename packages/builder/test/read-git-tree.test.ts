import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detect } from '../src/detect.js';
import { readGitTree } from '../src/read-git-tree.js';
import { readRepoTree } from '../src/read-repo-tree.js';
import { FIXTURES } from './fixture-tree.js';

const git = promisify(execFile);
const ID = ['-c', 'user.name=t', '-c', 'user.email=t@example.com'];

/** A local repository detected from its objects in place: what `file://` sources get, with no clone. */
describe('readGitTree', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-git-tree-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function commit(fixture: string): Promise<string> {
    const repo = join(dir, fixture);
    await cp(join(FIXTURES, fixture), repo, { recursive: true });
    await git('git', ['init', '-q', repo]);
    await git('git', ['-C', repo, 'add', '.']);
    await git('git', ['-C', repo, ...ID, 'commit', '-q', '-m', 'app']);
    return repo;
  }

  it('lists and reads the committed tree as readRepoTree reads the folder, so detection is the same', async () => {
    for (const fixture of ['mono-nx-integrated', 'node-ts-build-script', 'dotnet-fsharp-solution']) {
      const repo = await commit(fixture);
      const fromGit = await readGitTree(repo);
      const fromDisk = await readRepoTree(repo);
      expect(fromGit.files).toEqual(fromDisk.files);
      for (const f of fromDisk.files) expect(fromGit.read(f), f).toBe(fromDisk.read(f));
      expect(detect(fromGit)).toEqual(detect(fromDisk));
    }
  });

  it('reads what was committed, not what lies in the folder, and leaves links out', async () => {
    const repo = await commit('go-lone-main');
    await symlink('/etc/passwd', join(repo, 'passwd'));
    await git('git', ['-C', repo, 'add', 'passwd']);
    await git('git', ['-C', repo, ...ID, 'commit', '-q', '-m', 'link']);
    await writeFile(join(repo, 'main.go'), 'not committed');
    const tree = await readGitTree(repo);
    expect(tree.files).toEqual(['main.go']);
    expect(tree.read('main.go')).toMatch(/^package main/);
    expect(tree.read('passwd')).toBeUndefined();
  });

  it('refuses a folder that is not a repository (the caller clones instead)', async () => {
    await expect(readGitTree(dir)).rejects.toThrow();
  });
});
