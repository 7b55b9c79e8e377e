import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostVersionFolders, INSTALLED_MARKER } from './version-folders.js';

let home: string;
let folders: HostVersionFolders;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'berth-versions-'));
  folders = new HostVersionFolders(home);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const job = (command: string[], lines: string[] = []) => ({
  template: 'tool',
  version: 'v1',
  command,
  onLine: (l: string) => lines.push(l),
});

describe('HostVersionFolders', () => {
  it('runs the install step in the version folder, streams and logs its output, and marks it installed last', async () => {
    const lines: string[] = [];
    const step =
      'echo "from $BERTH_VERSION"; printf "#!/bin/sh\\necho hi\\n" > "$BERTH_VERSION_DIR/run.sh"; chmod +x run.sh; echo oops >&2';
    await folders.install(job(['sh', '-c', step], lines));
    const dir = join(home, 'versions', 'tool', 'v1');
    expect(folders.dirOf('tool', 'v1')).toBe(dir);
    expect(readFileSync(join(dir, 'run.sh'), 'utf8')).toContain('echo hi');
    expect(existsSync(join(dir, INSTALLED_MARKER))).toBe(true);
    expect(await folders.isInstalled('tool', 'v1')).toBe(true);
    expect(lines.sort()).toEqual(['from v1', 'oops']);
    expect(readFileSync(folders.logOf('tool', 'v1'), 'utf8')).toMatch(/--- install .*\nfrom v1\n|oops/);
    expect(await folders.hasProgram(join(dir, 'run.sh'))).toBe(true);
  });

  it('takes the folder away when the step fails, saying its exit code and last lines', async () => {
    const err = await folders.install(job(['sh', '-c', 'touch half; echo no network >&2; exit 7'])).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe('the install step exited with code 7: no network');
    expect(existsSync(folders.dirOf('tool', 'v1'))).toBe(false);
    expect(await folders.isInstalled('tool', 'v1')).toBe(false);
    expect(readFileSync(folders.logOf('tool', 'v1'), 'utf8')).toContain('no network');
  });

  it('starts a new install from an empty folder: what a crashed one left is not kept', async () => {
    const dir = folders.dirOf('tool', 'v1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'leftover'), 'x');
    expect(await folders.isInstalled('tool', 'v1')).toBe(false);
    await folders.install(job(['sh', '-c', 'ls -A > listing']));
    expect(readFileSync(join(dir, 'listing'), 'utf8')).toBe('listing\n');
  });

  it('says a program that cannot be run, and removes only the version folder', async () => {
    const err = await folders.install(job(['/no/such/installer'])).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain("could not run '/no/such/installer'");
    await folders.install(job(['true']));
    await folders.remove('tool', 'v1');
    expect(existsSync(folders.dirOf('tool', 'v1'))).toBe(false);
    expect(existsSync(join(home, 'versions', 'tool'))).toBe(true);
    expect(await folders.hasProgram('sh')).toBe(true);
    expect(await folders.hasProgram('no-such-program-anywhere')).toBe(false);
    expect(() => folders.dirOf('tool', '..')).toThrow(/folder name/);
  });
});
