// Scenario 1: one process instance, API call → its port answers HTTP 200, against spawning the same
// program (busybox httpd) directly → port answers. Interleaved, alternating which goes first. Both
// wait for readiness the same way: berth inside `?wait=1`, the direct spawn with berth's own wait
// (`readyLikeBerth`); then both take the bench's GET / → 200 once.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berthHome, busyboxTemplate, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import {
  BUSYBOX,
  berthReadiness,
  log,
  now,
  quietPorts,
  spawnOwned,
  summary,
  tempDir,
  waitHttp200,
} from '../lib/common.mjs';

// Below the kernel's ephemeral range (bench/README.md, "Ports").
const BERTH_RANGE = [15000, 15099];
const DIRECT_RANGE = [15100, 15199];

export async function processStart({ reps, warmup }) {
  const home = await berthHome('s1');
  const www = await tempDir('www');
  await writeFile(join(www, 'index.html'), 'ok\n');
  const server = await startBerth(home);
  const readyLikeBerth = await berthReadiness();
  try {
    await putTemplate(server, busyboxTemplate('tiny', www, BERTH_RANGE));
    const berthSamples = [];
    const rawSamples = [];
    let directPort = DIRECT_RANGE[0];

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
      if (directPort > DIRECT_RANGE[1]) directPort = DIRECT_RANGE[0];
      const [port] = await quietPorts(directPort++, 1, DIRECT_RANGE[1]);
      const t = now();
      const p = spawnOwned(BUSYBOX, ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', www]);
      await readyLikeBerth(port);
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
        raw: ['direct spawn'],
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
