import { describe, expect, it } from 'vitest';
import type { BerthEvent } from '../api/types';
import { foldEvents, severityOf, typeLabel } from './event-words';

let next = 1;
const ev = (type: string, message: string, data: Record<string, unknown> = {}, ts = 1000): BerthEvent =>
  ({ id: next++, ts, type, instanceId: 'i1', instanceName: 'crashy', message, data }) as BerthEvent;

describe('event words (issue 17 §9)', () => {
  it('names the kind in short and colours it by how bad it is', () => {
    expect(typeLabel(ev('instance.status', 'x', { from: 'running', to: 'error' }))).toBe('status → error');
    expect(typeLabel(ev('node.status', 'x', { to: 'unreachable' }))).toBe('node status → unreachable');
    expect(typeLabel(ev('instance.restart', 'x'))).toBe('restart');
    expect(severityOf(ev('instance.status', 'x', { to: 'error' }))).toBe('error');
    expect(severityOf(ev('instance.port-conflict', 'x'))).toBe('error');
    expect(severityOf(ev('instance.restart', 'x'))).toBe('warn');
    expect(severityOf(ev('instance.health', 'x', { to: 'healthy' }))).toBe('ok');
    expect(severityOf(ev('instance.created', 'x'))).toBe('info');
  });

  it('tells a crash’s status and the restart it schedules once, the status first', () => {
    const why = 'crashy exited with code 3; restarting in 30s (attempt 1 of 5)';
    const rows = foldEvents([
      ev('instance.restart', why, { attempt: 1 }, 2001),
      ev('instance.status', why, { from: 'running', to: 'error' }, 2000),
      ev('instance.status', 'started', { from: 'deploying', to: 'running' }, 1700),
    ]);
    expect(rows.map((r) => [r.types.join(' · '), r.event.message])).toEqual([
      ['status → error · restart', why],
      ['status → running', 'started'],
    ]);
    expect(severityOf(rows[0]?.event as BerthEvent)).toBe('error');
  });

  it('keeps the same words apart when they are about other instances or far apart in time', () => {
    const a = ev('instance.status', 'stop requested', { to: 'stopping' }, 1000);
    const b = { ...ev('instance.status', 'stop requested', { to: 'stopping' }, 1000), instanceId: 'i2' };
    const c = ev('instance.status', 'stop requested', { to: 'stopping' }, 60_000);
    expect(foldEvents([c, b, a])).toHaveLength(3);
  });
});
