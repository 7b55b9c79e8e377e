import { setFlagsFromString } from 'node:v8';
import { InvalidInput } from '@berth/core';

/**
 * How far V8 lets the heap grow past what was live after a full collection, in percent
 * (BERTH_HEAP_GROWTH_PERCENT; 0 leaves V8's own policy).
 *
 * V8's own policy grows the old generation up to 4x what is live when collections are cheap. The
 * server lives beside the workloads it runs, and its garbage comes in bursts (1,000 creates at
 * once, each probing the machine's ports): with ~60 MB live, such a burst leaves 230-300 MB of
 * heap committed under V8's policy, kept until V8 has a reason to collect. At 25 % the same burst
 * peaks at ~170 MB, for more frequent full collections during the burst.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 25;

export function heapGrowthPercent(env: NodeJS.ProcessEnv): number {
  const raw = env.BERTH_HEAP_GROWTH_PERCENT;
  if (raw === undefined || raw === '') return DEFAULT_HEAP_GROWTH_PERCENT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 1000) {
    throw new InvalidInput(
      `BERTH_HEAP_GROWTH_PERCENT must be a whole number from 0 (V8's own policy) to 1000, got '${raw}'`,
      { details: { field: 'BERTH_HEAP_GROWTH_PERCENT' } },
    );
  }
  return n;
}

/**
 * Applies it to this process. V8 reads the setting each time it sizes the heap after a
 * collection, so it takes effect at once (checked by test: heap-growth.test.ts).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
