import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInput, NotAllowed } from '@berth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirs } from './data-dirs.js';

describe('DataDirs', () => {
  let base: string;
  let dirs: DataDirs;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'berth-dirs-'));
    dirs = new DataDirs(join(base, 'home'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('lays out instance data and log folders under home', async () => {
    const data = await dirs.createInstanceDir('mem0', 'web-1');
    expect(data).toBe(join(base, 'home', 'instances', 'mem0', 'web-1'));
    expect(existsSync(data)).toBe(true);
    expect(await dirs.createLogDir('abc123')).toBe(join(base, 'home', 'logs', 'abc123'));
  });

  it('removes an instance folder recursively', async () => {
    const data = await dirs.createInstanceDir('mem0', 'web-1');
    mkdirSync(join(data, 'sub'));
    writeFileSync(join(data, 'sub', 'f'), 'x');
    await dirs.remove(data);
    expect(existsSync(data)).toBe(false);
    expect(existsSync(join(base, 'home', 'instances', 'mem0'))).toBe(true);
  });

  it('refuses paths that are not strictly inside home', async () => {
    await expect(dirs.remove(join(base, 'home'))).rejects.toBeInstanceOf(NotAllowed);
    await expect(dirs.remove(base)).rejects.toBeInstanceOf(NotAllowed);
    await expect(dirs.remove(join(base, 'home', '..', 'elsewhere'))).rejects.toBeInstanceOf(NotAllowed);
    await expect(dirs.remove('/etc')).rejects.toBeInstanceOf(NotAllowed);
    expect(() => dirs.instanceDir('..', 'x')).toThrow(InvalidInput);
    expect(() => dirs.instanceDir('t', 'a/b')).toThrow(InvalidInput);
  });

  it('never follows a symlink out of home', async () => {
    const outside = join(base, 'outside');
    mkdirSync(join(outside, 'victim'), { recursive: true });
    writeFileSync(join(outside, 'victim', 'keep'), 'x');
    await dirs.ensure(join(dirs.home, 'instances'));
    symlinkSync(outside, join(dirs.home, 'instances', 'evil'));
    await expect(dirs.remove(join(dirs.home, 'instances', 'evil', 'victim'))).rejects.toBeInstanceOf(
      NotAllowed,
    );
    // The link itself may go, as a link: what it points to stays.
    await dirs.remove(join(dirs.home, 'instances', 'evil'));
    expect(existsSync(join(outside, 'victim', 'keep'))).toBe(true);
    expect(existsSync(join(dirs.home, 'instances', 'evil'))).toBe(false);
  });

  it('says beforehand whether a removal would be refused, touching nothing', async () => {
    const outside = join(base, 'outside');
    mkdirSync(join(outside, 'victim'), { recursive: true });
    await dirs.ensure(join(dirs.home, 'instances'));
    symlinkSync(outside, join(dirs.home, 'instances', 'evil'));
    await expect(dirs.checkRemovable(join(dirs.home, 'instances', 'evil', 'victim'))).rejects.toThrow(
      /symbolic link/,
    );
    await expect(dirs.checkRemovable('/etc')).rejects.toBeInstanceOf(NotAllowed);
    expect(existsSync(join(outside, 'victim'))).toBe(true);
    expect(existsSync(join(dirs.home, 'instances', 'evil'))).toBe(true);
    expect(await dirs.checkRemovable(join(dirs.home, 'instances', 'gone'))).toBe(false);
    expect(await dirs.checkRemovable(await dirs.createInstanceDir('t', 'here'))).toBe(true);
  });
});
