// Scenario 12 (issue 20 §2): 10,000 process instances (busybox httpd) on the 2-core machine — all
// running; server RSS ≤ 300 MB; GET /instances p99 ≤ 50 ms; the sampler ≤ 10 % of a core at a 5 s
// tick; then berth restarted with them running: all adopted ≤ 10 s. Scenario 4 (many-instances.mjs)
// and 6 (adopt-restart.mjs) with these sizes and targets. Run alone: `--only=ten-thousand`.
//
// Ports: 15000–19999 (the bench's own block, the template's range; the bench's server on
// 15901/15902 sits inside it and the ledger steps over its listeners) and 3000–8599 as berth's
// global range (BERTH_PORT_RANGE), which the ledger falls back to once the template's range is
// full. 10,000 ports do not fit in the bench's block of 5,000, and below the kernel's ephemeral
// range (32768–60999) every other port from 8600 up is a test file's block (test/port-blocks.ts),
// berth's own default range (20000–21999) or the fake Kubernetes NodePorts (30000–32767):
// 3000–8599 is the one stretch left that nothing on this machine uses (bench/README.md, "Ports").
import { adoptAfterRestart } from './adopt-restart.mjs';
import { manyInstances } from './many-instances.mjs';

export const TEN_K_RANGE = [15000, 19999];
export const TEN_K_GLOBAL_RANGE = [3000, 8599];

export async function tenThousand({ count, listRequests, samplerWindowMs, samplerRounds, restarts }) {
  const serverEnv = { BERTH_PORT_RANGE: TEN_K_GLOBAL_RANGE.join('-') };
  return manyInstances({
    count,
    listRequests,
    samplerWindowMs,
    samplerRounds,
    fleet: {
      range: TEN_K_RANGE,
      serverEnv,
      samplerTickMs: 5000,
      targets: { rssMB: 300, listP99Ms: 50, samplerPct: 10 },
      homePrefix: 'ten-k',
    },
    afterwards: (server) => adoptAfterRestart({ server, restarts, count, targetMs: 10_000, env: serverEnv }),
  });
}
