import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PortBindFailed } from '@berth/core';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBerth, tempHome, writeTemplate } from './support.js';

// Ports 26300–26399 belong to this file.
//
// A pinned port taken between berth's look and the program's bind. The program plays both parts:
// it starts a holder of its port (in its own session, without berth's markers, so it outlives the
// failed deploy and is nobody berth knows), waits until it listens, then fails the way Node does.
const HOLDS_ITS_PORT = [
  "const fs=require('fs'),cp=require('child_process');",
  'const holder=cp.spawn(process.execPath,["-e",',
  "\"require('net').createServer((s)=>s.destroy()).listen(+process.env.PORT,()=>require('fs').writeFileSync('held',''))\"",
  '],{detached:true,stdio:"ignore",env:{PATH:process.env.PATH,PORT:process.env.PORT}});',
  "fs.writeFileSync('holder.pid',String(holder.pid));holder.unref();",
  "const t=setInterval(()=>{if(!fs.existsSync('held'))return;clearInterval(t);",
  "console.error('Error: listen EADDRINUSE: address already in use :::'+process.env.PORT);process.exit(1)},20);",
].join('');

const TEMPLATE = [
  'name: held',
  'source:',
  '  kind: command',
  '  command: node',
  `  args: ["-e", ${JSON.stringify(HOLDS_ITS_PORT)}]`,
  'ports:',
  '  - name: http',
  '    env: PORT',
  '    preferred: 26300',
  '    range: [26300, 26399]',
  'readiness: { kind: http, port: http, path: / }',
  'restart: { policy: never }',
  '',
].join('\n');

describe('a pinned port taken before the bind', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  const holders: number[] = [];

  beforeAll(async () => {
    env = await tempHome('bind-conflict-list');
    await writeTemplate(env.templates, 'held.yaml', TEMPLATE);
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    for (const pid of holders) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
    await berth.close();
    await env.cleanup();
  });

  it('fails as a PORT_CONFLICT whose list names the holder and a free port, and stays pinned', async () => {
    const failure = await berth.instances
      .create({ template: 'held', name: 'held-1', ports: { http: 26350 } }, { wait: true })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const inst = berth.instances.get('held-1');
    const holder = Number(await readFile(join(inst.dataDir, 'holder.pid'), 'utf8'));
    holders.push(holder);

    expect(failure).toBeInstanceOf(PortBindFailed);
    const err = failure as PortBindFailed;
    expect(err.code).toBe('PORT_CONFLICT');
    expect(err.message).toMatch(/address already in use/i);
    expect(err.ports).toEqual([{ name: 'http', hostPort: 26350, protocol: 'tcp' }]);
    expect(err.portConflicts).toHaveLength(1);
    const [c] = err.portConflicts;
    expect(c).toMatchObject({ name: 'http', envVar: 'PORT', port: 26350, protocol: 'tcp' });
    expect(c?.usedBy).toContain(`pid ${holder}`);
    expect(c?.suggestedPort).toBeGreaterThanOrEqual(26300);
    expect(c?.suggestedPort).toBeLessThanOrEqual(26399);
    expect(c?.suggestedPort).not.toBe(26350);

    expect(inst.status).toBe('error');
    expect(inst.errorMessage ?? '').toMatch(/address already in use/i);
    expect(berth.instances.ports(inst.id).http).toBe(26350);
  });
});
