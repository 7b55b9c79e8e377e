// Scenario 1: one process instance, API call → its port answers HTTP 200, against spawning the same
// program (busybox httpd) directly → port answers. Interleaved, alternating which goes first.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berthHome, busyboxTemplate, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import { BUSYBOX, log, now, quietPorts, spawnOwned, summary, tempDir, waitHttp200 } from '../lib/common.mjs';

const BERTH_RANGE = [50000, 50999];
const DIRECT_BASE = 51000;

export async function processStart({ reps, warmup }) {
  const home = await berthHome('s1');
  const www = await tempDir('www');
  await writeFile(join(www, 'index.html'), 'ok\n');
  const server = await startBerth(home);
  try {
    await putTemplate(server, busyboxTemplate('tiny', www, BERTH_RANGE));
    const berthSamples = [];
    const rawSamples = [];
    let directPort = DIRECT_BASE;

    const viaBerth = async (i) => {
      const t = now();
      const inst = await server.api('POST', '/instances?wait=1', { template: 'tiny', name: `tiny-${i}` });
      if (inst.status !== 'running')
        throw new Error(`instance ${inst.name} is ${inst.status}: ${inst.errorMessage}`);
      await waitHttp200(inst.ports.http);
      const ms = now() - t;
      await server.api('POST', `/instances/${inst.id}/kill?wait=1`);
      await server.api('DELETE', `/instances/${inst.id}`);
      return ms;
    };
    const direct = async () => {
      const [port] = await quietPorts(directPort++, 1, 51999);
      const t = now();
      const p = spawnOwned(BUSYBOX, ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', www]);
      await waitHttp200(port);
      const ms = now() - t;
      await p.kill();
      return ms;
    };

    for (let i = 0; i < warmup; i++) {
      await viaBerth(`w${i}`);
      await direct();
    }
    for (let i = 0; i < reps; i++) {
      if (i % 2 === 0) {
        berthSamples.push(await viaBerth(i));
        rawSamples.push(await direct());
      } else {
        rawSamples.push(await direct());
        berthSamples.push(await viaBerth(i));
      }
    }
    const b = summary(berthSamples);
    const r = summary(rawSamples);
    log(`process start: berth ${b.median} ms, direct ${r.median} ms`);
    return [
      {
        scenario: 'process instance start',
        metric: 'API call → HTTP 200 (busybox httpd)',
        unit: 'ms',
        berth: b,
        baselines: { 'direct spawn': r },
        ratio: { 'direct spawn': ratio(b.median, r.median) },
        measured: `+${(b.median - r.median).toFixed(1)} ms`,
        target: '≤ direct + 15 ms',
        pass: b.median <= r.median + 15,
        notes: [`berth − direct = ${(b.median - r.median).toFixed(1)} ms (medians)`],
      },
    ];
  } finally {
    await stopBerth(server);
  }
}

export const ratio = (a, b) => Math.round((a / b) * 100) / 100;
