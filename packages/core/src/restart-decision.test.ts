import { describe, expect, it } from 'vitest';
import { decideRestart } from './restart-decision.js';
import { restartSchema } from './template.js';

const policy = restartSchema.parse({
  policy: 'on-failure',
  maxRetries: 3,
  backoffSeconds: 1,
  maxBackoffSeconds: 3,
});

describe('decideRestart', () => {
  it('grows the delay exponentially up to the cap, then gives up', () => {
    const delays = [0, 1, 2].map((n) => decideRestart(policy, { restartCount: n }, 1, 'exited'));
    expect(delays).toEqual([
      { restart: true, delayMs: 1000, attempt: 1 },
      { restart: true, delayMs: 2000, attempt: 2 },
      { restart: true, delayMs: 3000, attempt: 3 },
    ]);
    expect(decideRestart(policy, { restartCount: 3 }, 1, 'exited')).toEqual({
      restart: false,
      reason: 'gave up after 3 restarts',
    });
  });
  it('on-failure leaves a clean exit alone; always does not', () => {
    expect(decideRestart(policy, { restartCount: 0 }, 0, 'exited').restart).toBe(false);
    expect(decideRestart({ ...policy, policy: 'always' }, { restartCount: 0 }, 0, 'exited').restart).toBe(
      true,
    );
    expect(decideRestart({ ...policy, policy: 'never' }, { restartCount: 0 }, 1, 'exited').restart).toBe(
      false,
    );
  });
});
