import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { get, helloTemplate, tempHome, until, writeTemplate } from '../support.js';
import { type ServeProcess, serve } from './berth-serve.js';
import { recordFigures } from './summary.js';

// A real `berth serve` killed with SIGKILL while 50 creates+deploys sent in parallel through its
// API are in flight, then started again on the same home. Ports 14100–14199 belong to this file.

const TOKEN = 'abuse-kill9-token';
const COUNT = 50;

let env: Awaited<ReturnType<typeof tempHome>>;
const servers: ServeProcess[] = [];
async function started(p: Promise<ServeProcess>): Promise<ServeProcess> {
  const s = await p;
  servers.push(s);
  return s;
}

/** Processes carrying berth's markers for this home: pid → instance id. */
function markedProcesses(home: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = environ.split('\0');
    const logDir = vars.find((v) => v.startsWith('BERTH_LOG_DIR='));
    const id = vars.find((v) => v.startsWith('BERTH_INSTANCE_ID='));
    if (logDir?.includes(home) && id) found.set(Number(entry), id.slice('BERTH_INSTANCE_ID='.length));
  }
  return found;
}

afterAll(async () => {
  for (const s of servers) await s.stop();
  // Whatever this test started and berth did not stop: its own process groups, by pid.
  if (env) {
    for (const pid of markedProcesses(env.home).keys()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await env.cleanup();
  }
});

describe(`berth serve killed with SIGKILL during ${COUNT} parallel creates+deploys through its API`, () => {
  it('keeps every acknowledged instance, all running again with distinct ports, no orphan or duplicate process', {
    timeout: 120_000,
  }, async () => {
    env = await tempHome('abuse-kill9');
    // 700 ms before each process listens: berth dies with deploys still waiting for readiness.
    await writeTemplate(env.templates, 'tiny.yaml', helloTemplate('tiny', 14_100, { delayMs: 700 }));
    const first = await started(serve(env.home, env.templates, TOKEN));
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

    const acknowledged: string[] = [];
    const refused: string[] = [];
    let answered = 0;
    const killedAfter = Math.floor(COUNT / 2);
    let killed: () => void = () => {};
    const killedNow = new Promise<void>((r) => (killed = r));
    const creates = Array.from({ length: COUNT }, async (_, i) => {
      const name = `p-${i}`;
      const res = await fetch(`${first.api}/api/v1/instances`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ template: 'tiny', name }),
      }).catch(() => undefined); // in flight when berth died: never acknowledged, may or may not exist
      if (res?.status === 201) acknowledged.push(name);
      else if (res)
        refused.push(`create ${name} answered ${res.status}: ${await res.text().catch(() => '')}`);
      if (++answered === killedAfter) {
        first.proc.kill('SIGKILL');
        killed();
      }
    });
    await killedNow;
    await Promise.all(creates);
    await first.exited;
    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(killedAfter - 1);

    const again = await started(serve(env.home, env.templates, TOKEN));
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read loosely
    const list = async (): Promise<any[]> =>
      (await (await fetch(`${again.api}/api/v1/instances`, { headers: auth })).json()) as never;
    const names = new Set((await list()).map((i) => i.name as string));
    expect(acknowledged.filter((n) => !names.has(n))).toEqual([]);

    const running = await until(
      'every instance running again',
      async () => {
        const all = await list();
        return all.every((i) => i.status === 'running') ? all : undefined;
      },
      60_000,
    );
    const ports = running.map((i) => i.ports.http as number);
    expect(new Set(ports).size).toBe(running.length);
    const answers = await Promise.all(ports.map((p) => get(p)));
    expect(answers.filter((a) => a !== 'hello')).toEqual([]);

    // one process per instance, each an instance berth knows: none orphaned, none twice
    const orphans = (await (
      await fetch(`${again.api}/api/v1/orphans`, { headers: auth })
    ).json()) as unknown[];
    expect(orphans).toEqual([]);
    const marked = [...markedProcesses(env.home).values()];
    expect(marked.length).toBe(running.length);
    expect(new Set(marked).size).toBe(running.length);
    expect(new Set(marked)).toEqual(new Set(running.map((i) => i.id as string)));

    recordFigures('kill9-parallel-deploys', {
      parallelCreates: COUNT,
      acknowledgedBeforeKill: acknowledged.length,
      existingAfterRestart: running.length,
      lostAcknowledged: 0,
      distinctPorts: new Set(ports).size,
      orphans: orphans.length,
    });

    for (const i of running)
      await fetch(`${again.api}/api/v1/instances/${i.name}`, { method: 'DELETE', headers: auth });
  });
});
