import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInput, NotAllowed } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSource } from '../src/import-source.js';
import { checkedSource, DEFAULT_SOURCE_POLICY, type SourcePolicy } from '../src/local-source.js';

/** Issue 19 §8: local sources only under allowed paths, resolved first; imports capped, nothing left behind. */
describe('local build sources', () => {
  let base: string;
  let root: string;
  let policy: SourcePolicy;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'berth-local-source-'));
    root = join(base, 'allowed');
    await mkdir(join(root, 'app', 'src'), { recursive: true });
    await writeFile(join(root, 'app', 'package.json'), '{"name":"app"}');
    await writeFile(join(root, 'app', 'src', 'index.js'), 'console.log(1)');
    await writeFile(join(root, 'file.txt'), 'x');
    execFileSync('mkfifo', [join(root, 'pipe')]);
    execFileSync('mkfifo', [join(root, 'app', 'pipe')]);
    await mkdir(join(base, 'outside'));
    await symlink(join(base, 'outside'), join(root, 'escape'));
    await symlink(join(root, 'app'), join(base, 'link-to-app'));
    policy = { ...DEFAULT_SOURCE_POLICY, allowPaths: [root] };
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  const refusal = async (source: string, p: SourcePolicy = policy) =>
    checkedSource(source, p).then(
      () => {
        throw new Error(`expected ${source} to be refused`);
      },
      (err: unknown) => err as Error,
    );

  it('refuses every local path by default, saying how to allow one', async () => {
    const err = await refusal(join(root, 'app'), DEFAULT_SOURCE_POLICY);
    expect(err).toBeInstanceOf(NotAllowed);
    expect(err.message).toMatch(/--allow-path <dir>.*BERTH_ALLOW_PATHS/);
    expect(await refusal(`file://${join(root, 'app')}`, DEFAULT_SOURCE_POLICY)).toBeInstanceOf(NotAllowed);
  });

  it('accepts a directory under an allowed path, by its real path', async () => {
    expect(await checkedSource(join(root, 'app'), policy)).toEqual({ kind: 'path', path: join(root, 'app') });
    // a symlink from elsewhere to an allowed directory is judged by where it leads
    expect(await checkedSource(join(base, 'link-to-app'), policy)).toEqual({
      kind: 'path',
      path: join(root, 'app'),
    });
    expect(await checkedSource(`file://${join(root, 'app')}`, policy)).toMatchObject({ kind: 'git' });
  });

  it('refuses paths that lead outside the allowed ones, and /proc, /sys, /dev always', async () => {
    for (const p of [join(root, 'escape'), join(root, '..', 'outside'), base, '/root', '/etc']) {
      const err = await refusal(p);
      expect(err, p).toBeInstanceOf(NotAllowed);
      expect(err.message, p).toMatch(/not under an allowed path/);
    }
    expect(await refusal(`file://${join(base, 'outside')}`)).toBeInstanceOf(NotAllowed);
    const everything = { ...policy, allowPaths: ['/'] };
    for (const p of ['/proc/self', '/proc/self/cwd', '/sys/kernel', '/dev/shm']) {
      const err = await refusal(p, everything);
      expect(err, p).toBeInstanceOf(NotAllowed);
      expect(err.message, p).toMatch(/never imports/);
    }
  });

  it('answers bad input for what is not a directory, is missing or is not a path', async () => {
    const cases: [string, RegExp][] = [
      [join(root, 'file.txt'), /is not a directory/],
      [join(root, 'pipe'), /is not a directory/],
      [join(root, 'missing'), /does not exist on the server/],
      [join(root, 'file.txt', 'below'), /does not exist on the server/],
      [`${root}/a\u0000b`, /control characters/],
    ];
    for (const [p, why] of cases) {
      const err = await refusal(p);
      expect(err, p).toBeInstanceOf(InvalidInput);
      expect(err.message, p).toMatch(why);
      expect((err as InvalidInput).details).toEqual({ field: 'source' });
    }
  });

  it('copies without fifos, and refuses (keeping nothing) a source over the caps', async () => {
    const copy = join(base, 'copy');
    await importSource({ kind: 'path', path: join(root, 'app') }, copy, { limits: policy });
    expect((await readdir(copy)).sort()).toEqual(['package.json', 'src']);
    for (const limits of [
      { maxFiles: 1, maxBytes: 1e9 },
      { maxFiles: 100, maxBytes: 10 },
    ]) {
      const target = join(base, `capped-${limits.maxFiles}`);
      const err = await importSource({ kind: 'path', path: join(root, 'app') }, target, { limits }).catch(
        (e: unknown) => e as InvalidInput,
      );
      expect(err).toBeInstanceOf(InvalidInput);
      expect((err as InvalidInput).code).toBe('SOURCE_TOO_LARGE');
      expect((err as InvalidInput).message).toMatch(/holds more than (1 files|10 bytes)/);
      expect(existsSync(target)).toBe(false);
    }
  });
});
