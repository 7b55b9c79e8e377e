import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitUrlProblem, importSource, parseSource } from '../src/import-source.js';

const git = promisify(execFile);

describe('gitUrlProblem', () => {
  it.each([
    'https://github.com/owner/repo.git',
    'http://git.local/repo',
    'ssh://git@host:22/owner/repo.git',
    'git://host/repo.git',
    'file:///srv/repos/app.git',
    'git@github.com:owner/repo.git',
  ])('accepts %s', (url) => {
    expect(gitUrlProblem(url)).toBeNull();
  });

  it.each([
    ['--upload-pack=touch /tmp/pwned', /must not start with '-'/],
    ['-u x', /must not start with '-'/],
    ['ext::sh -c touch% /tmp/pwned', /spaces/],
    ['ext::sh', /not a URL|uses ext/],
    ['ftp://host/repo', /uses ftp/],
    ['https://host/repo\n--foo', /control/],
    ['ssh://-oProxyCommand=x/repo', /host starting with '-'/],
    ['', /empty/],
  ])('rejects %s', (url, why) => {
    expect(gitUrlProblem(url)).toMatch(why);
  });

  it('treats absolute and ./ paths as local directories', () => {
    expect(parseSource('/srv/app')).toEqual({ kind: 'path', path: '/srv/app' });
    expect(() => parseSource('-rf')).toThrow(/must not start with '-'/);
  });
});

describe('importSource', () => {
  let root: string;
  let repo: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-import-'));
    repo = join(root, 'origin');
    await git('git', ['init', '-q', '-b', 'main', repo]);
    await writeFile(join(repo, 'package.json'), '{"name":"x"}');
    await git('git', ['-C', repo, 'add', '.']);
    await git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'one']);
    await writeFile(join(repo, 'server.js'), 'console.log(1)');
    await git('git', ['-C', repo, 'add', '.']);
    await git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'two']);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('shallow-clones a file:// repository and says which commit it checked out', async () => {
    const dir = join(root, 'clone');
    const { commit } = await importSource({ kind: 'git', url: `file://${repo}` }, dir);
    expect((await readdir(dir)).sort()).toEqual(['.git', 'package.json', 'server.js']);
    const { stdout } = await git('git', ['-C', dir, 'rev-list', '--count', 'HEAD']);
    expect(stdout.trim()).toBe('1');
    expect(commit).toBe((await git('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim());
  });

  it('copies a local directory without its .git (no commit to name)', async () => {
    const dir = join(root, 'copy');
    expect(await importSource({ kind: 'path', path: repo }, dir)).toEqual({ commit: null });
    expect((await readdir(dir)).sort()).toEqual(['package.json', 'server.js']);
    expect(await readFile(join(dir, 'server.js'), 'utf8')).toBe('console.log(1)');
  });

  it('refuses a non-empty target and a URL that is an option', async () => {
    await expect(importSource({ kind: 'path', path: repo }, repo)).rejects.toThrow(/not empty/);
    await expect(importSource({ kind: 'git', url: '--upload-pack=x' }, join(root, 'nope'))).rejects.toThrow(
      /'-'/,
    );
  });

  it('reports a clone that fails as invalid input, with git’s reason', async () => {
    await expect(
      importSource({ kind: 'git', url: `file://${root}/missing` }, join(root, 'missing-clone')),
    ).rejects.toThrow(/git clone .* failed/);
  });
});
