import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContext, CONTEXT_DOCKERFILE } from './build-context.js';

/** The archive's entries, as `tar -t` lists them. */
function list(stream: NodeJS.ReadableStream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-t', '-f', '-']);
    let out = '';
    tar.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve(out.split('\n').filter(Boolean).sort()) : reject(code)));
    stream.pipe(tar.stdin);
  });
}

async function repo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-context-'));
  await mkdir(join(dir, 'node_modules/x'), { recursive: true });
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'node_modules/x/index.js'), '');
  await writeFile(join(dir, 'src/app.js'), '');
  await writeFile(join(dir, '.env'), 'SECRET=1');
  await writeFile(join(dir, '.env.example'), 'SECRET=');
  await writeFile(join(dir, '.dockerignore'), 'the repository one is replaced');
  await writeFile(join(dir, CONTEXT_DOCKERFILE), 'a file of the repository with berth’s name');
  await symlink('/etc/passwd', join(dir, 'passwd-link'));
  return dir;
}

describe('buildContext', () => {
  it('applies the ignore rules, adds berth’s Dockerfile and .dockerignore, keeps links as links', async () => {
    const dir = await repo();
    const entries = await list(
      buildContext(dir, {
        dockerfile: 'FROM x\n',
        dockerignore: 'node_modules\n.env\n.env.*\n!.env.example\n',
      }),
    );
    expect(
      entries.filter((e) => e !== '.' && e !== './').map((e) => e.replace(/^\.\//, '').replace(/\/$/, '')),
    ).toEqual(['.berth.Dockerfile', '.dockerignore', '.env.example', 'passwd-link', 'src', 'src/app.js']);
  });

  it('never writes into the folder it packs', async () => {
    const dir = await repo();
    await list(buildContext(dir, { dockerfile: 'FROM x\n', dockerignore: '' }));
    expect(await readFile(join(dir, CONTEXT_DOCKERFILE), 'utf8')).toContain('a file of the repository');
    expect(await readFile(join(dir, '.dockerignore'), 'utf8')).toBe('the repository one is replaced');
  });

  it('makes every file and folder readable by all, so an unprivileged app can read its code (umask 077 copies)', async () => {
    const dir = await repo();
    await chmod(join(dir, 'src/app.js'), 0o600);
    await chmod(join(dir, 'src'), 0o700);
    const verbose = await new Promise<string>((resolve, reject) => {
      const tar = spawn('tar', ['-tv', '-f', '-']);
      let out = '';
      tar.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      tar.on('error', reject);
      tar.on('close', () => resolve(out));
      buildContext(dir, { dockerfile: 'FROM x\n', dockerignore: 'node_modules\n' }).pipe(tar.stdin);
    });
    const mode = (name: string) =>
      verbose
        .split('\n')
        .find((l) => l.trim().split(/\s+/).at(-1)?.replace(/^\.\//, '').replace(/\/$/, '') === name)
        ?.split(' ')[0];
    expect(mode('src/app.js')).toBe('-rw-r--r--');
    expect(mode('src')).toBe('drwxr-xr-x');
  });
});
