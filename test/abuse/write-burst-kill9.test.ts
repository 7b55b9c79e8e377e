import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, writeTemplate } from '../support.js';
import { type ServeProcess, serve } from './berth-serve.js';
import { recordFigures } from './summary.js';

// A real `berth serve` killed with SIGKILL in the middle of a burst of writes through its API
// (instance records and port reservations, 8 at a time): the database must pass SQLite's
// integrity check and hold every write the API acknowledged. Reservations use 27000–28999, one port per write (below the ephemeral range, where a busy machine's own connections would hold some)
// (records only: nothing listens on them); no instance is started.

const TOKEN = 'abuse-burst-token';
const WORKERS = 8;
const BURST_MS = 2_500;

let env: Awaited<ReturnType<typeof tempHome>>;
const servers: ServeProcess[] = [];
async function started(p: Promise<ServeProcess>): Promise<ServeProcess> {
  const s = await p;
  servers.push(s);
  return s;
}

afterAll(async () => {
  for (const s of servers) await s.stop();
  await env?.cleanup();
});

describe('berth serve killed with SIGKILL during a burst of API writes', () => {
  it('leaves an intact database holding every acknowledged write', { timeout: 90_000 }, async () => {
    env = await tempHome('abuse-burst');
    await writeTemplate(
      env.templates,
      'idle.yaml',
      'name: idle\nsource:\n  kind: command\n  command: sleep\n  args: ["30"]\n',
    );
    const first = await started(serve(env.home, env.templates, TOKEN));
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

    const instances: string[] = [];
    const reservations: number[] = [];
    let sent = 0;
    let stop = false;
    const refused: string[] = [];
    /** One write; false once berth is gone (that write was never acknowledged). */
    async function write(path: string, body: object): Promise<Response | false> {
      try {
        return await fetch(`${first.api}/api/v1${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
        });
      } catch {
        return false;
      }
    }
    const burst = Array.from({ length: WORKERS }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const n = sent++;
        if (i % 2 === 0) {
          const name = `b-${w}-${i}`;
          const res = await write('/instances', { template: 'idle', name, start: false });
          if (!res) return;
          if (res.status === 201) instances.push(name);
          else refused.push(`create ${name}: ${res.status} ${await res.text()}`);
        } else {
          if (n >= 2000) return; // one port each, never reused: 27000–28999
          const port = 27_000 + n;
          const res = await write('/ports/reservations', { port, note: `burst ${n}` });
          if (!res) return;
          if (res.status === 201) reservations.push(port);
          else refused.push(`reserve ${port}: ${res.status} ${await res.text()}`);
        }
      }
    });
    // the kill comes mid-burst: after BURST_MS and once more than 10 creates were acknowledged (on
    // a busy machine the first seconds may hold only a few)
    const startedAt = Date.now();
    while (Date.now() - startedAt < BURST_MS || (instances.length <= 10 && Date.now() - startedAt < 60_000)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(burst);
    await first.exited;
    expect(refused).toEqual([]);
    expect(instances.length).toBeGreaterThan(10);

    // the file as berth left it (its WAL replayed on open): intact
    const db = new Database(join(env.home, 'berth.db'));
    const integrity = db.pragma('integrity_check', { simple: true });
    const rows = (db.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
    db.close();
    expect(integrity).toBe('ok');

    const again = await started(serve(env.home, env.templates, TOKEN));
    const list = (await (await fetch(`${again.api}/api/v1/instances`, { headers })).json()) as {
      name: string;
    }[];
    const names = new Set(list.map((i) => i.name));
    expect(instances.filter((n) => !names.has(n))).toEqual([]);
    const ports = (await (await fetch(`${again.api}/api/v1/ports`, { headers })).json()) as {
      port: number;
      ownerKind: string;
    }[];
    const reserved = new Set(ports.filter((p) => p.ownerKind === 'reservation').map((p) => p.port));
    expect(reservations.filter((p) => !reserved.has(p))).toEqual([]);

    recordFigures('write-burst-kill9', {
      writesSent: sent,
      acknowledgedInstances: instances.length,
      acknowledgedReservations: reservations.length,
      instanceRowsAfterKill: rows,
      integrity,
      lostAcknowledged: 0,
    });
  });
});
