import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MB = 1024 * 1024;

/** Loads the module given (a `berth` entry) the way node runs it, then reports V8's new space. */
const probe = (entry: string) => `
  import v8 from 'node:v8';
  process.argv = [process.argv[0], 'berth', '--version-flag'];
  process.stdout.write = () => true;
  await import(${JSON.stringify(entry)});
  const live = [];
  for (let i = 0; i < 2e6; i++) if (i % 50 === 0) live.push({ i, s: 'x' + i });
  const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  process.stderr.write(String(ns.space_size));
`;

async function newSpace(entry: string, execArgv: string[] = []): Promise<number> {
  const { stderr } = await run(process.execPath, [...execArgv, '--input-type=module', '-e', probe(entry)]);
  return Number(stderr.trim());
}

const CLI = new URL('../../cli/dist/main.js', import.meta.url).href;
const SERVER = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('the young generation of `berth serve` (issue 20 §2)', () => {
  it('stays at 2 MB through module loading and allocation, where V8 by itself grows it to 32 MB', async () => {
    const [cli, plain] = await Promise.all([newSpace(CLI), newSpace(`file://${SERVER}`)]);
    expect(cli).toBeLessThanOrEqual(2 * MB);
    expect(plain).toBeGreaterThanOrEqual(16 * MB);
  }, 60_000);

  it('leaves a process started with its own semi-space setting as it was', async () => {
    expect(await newSpace(CLI, ['--max-semi-space-size=8'])).toBeGreaterThan(2 * MB);
  }, 60_000);
});
