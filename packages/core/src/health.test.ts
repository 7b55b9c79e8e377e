import { describe, expect, it } from 'vitest';
import { HealthTracker } from './health.js';
import { healthSchema } from './template.js';

const check = healthSchema.parse({
  tcp: { port: 'http' },
  intervalSeconds: 1,
  retries: 3,
  startPeriodSeconds: 5,
});

describe('HealthTracker', () => {
  it('ignores failures in the start period, then needs `retries` failures in a row to turn unhealthy', () => {
    const t = new HealthTracker(check, 0);
    expect(t.record(false, 1000)).toBe('starting');
    expect(t.record(true, 2000)).toBe('healthy');
    expect(t.record(false, 6000)).toBe('healthy');
    expect(t.record(false, 7000)).toBe('healthy');
    expect(t.record(false, 8000)).toBe('unhealthy');
    expect(t.record(true, 9000)).toBe('healthy');
  });
  it('is due once per interval and never while a check runs', () => {
    const t = new HealthTracker(check, 0);
    expect(t.due(1000)).toBe(true);
    t.record(true, 1000);
    expect(t.due(1500)).toBe(false);
    expect(t.due(2000)).toBe(true);
    t.inflight = true;
    expect(t.due(3000)).toBe(false);
  });
});
