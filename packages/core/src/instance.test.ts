import { describe, expect, it } from 'vitest';
import { InvalidInput } from './errors.js';
import { assertTransition, canTransition, INSTANCE_STATUSES, type InstanceStatus } from './instance.js';

/**
 * The transition table written out by hand, one row per status: the statuses each may move to
 * besides itself, `error` and `unreachable` (which any status may enter). A change to the table in
 * instance.ts that is not made here too fails below, so the table only widens on purpose.
 */
const LEGAL: Record<InstanceStatus, InstanceStatus[]> = {
  pending: ['deploying', 'stopped', 'running', 'stopping'],
  deploying: ['running', 'stopping', 'stopped'],
  running: ['stopping', 'stopped', 'deploying'],
  stopping: ['stopped', 'running', 'deploying'],
  stopped: ['deploying', 'running', 'stopping'],
  error: ['deploying', 'stopped', 'stopping', 'running'],
  unreachable: ['running', 'stopped', 'deploying', 'stopping'],
  // An external instance's status from create to remove: not even error or unreachable.
  external: [],
};

const apart = (s: InstanceStatus) => s === 'external';
const expected = (from: InstanceStatus, to: InstanceStatus) =>
  from === to ||
  (!apart(from) && !apart(to) && (to === 'error' || to === 'unreachable' || LEGAL[from].includes(to)));

const pairs = INSTANCE_STATUSES.flatMap((from) => INSTANCE_STATUSES.map((to) => [from, to] as const));

describe('the transition table', () => {
  it('has a row for every status and no other', () => {
    expect(Object.keys(LEGAL).sort()).toEqual([...INSTANCE_STATUSES].sort());
  });

  it.each(pairs)('%s → %s is legal exactly when the table says so', (from, to) => {
    expect(canTransition(from, to)).toBe(expected(from, to));
    if (expected(from, to)) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(InvalidInput);
  });

  it('refuses with INVALID_TRANSITION and names both statuses', () => {
    let caught: unknown;
    try {
      assertTransition('stopped', 'pending');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidInput);
    expect(caught).toMatchObject({
      code: 'INVALID_TRANSITION',
      message: 'an instance cannot go from stopped to pending',
    });
  });

  it('never lets an instance go back to pending: it is only where a record starts', () => {
    for (const from of INSTANCE_STATUSES)
      if (from !== 'pending') expect(canTransition(from, 'pending')).toBe(false);
  });

  it('lets every status but external fail or lose its node, and stay what it is', () => {
    for (const from of INSTANCE_STATUSES) {
      expect(canTransition(from, from)).toBe(true);
      if (apart(from)) continue;
      expect(canTransition(from, 'error')).toBe(true);
      expect(canTransition(from, 'unreachable')).toBe(true);
      expect(canTransition(from, from)).toBe(true);
    }
  });
});
