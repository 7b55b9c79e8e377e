import { NOTIFICATION_RULES, type NotificationRules } from '@berth/contracts';
import type { BerthEvent, EventType } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { notificationFor } from './notification-rules.js';

const all = Object.fromEntries(NOTIFICATION_RULES.map((r) => [r, true])) as NotificationRules;
const none = Object.fromEntries(NOTIFICATION_RULES.map((r) => [r, false])) as NotificationRules;

function event(
  type: EventType,
  message: string,
  data: Record<string, unknown>,
  instanceName: string | null = null,
) {
  return {
    id: 1,
    ts: 1_000,
    type,
    instanceId: instanceName && `id-${instanceName}`,
    instanceName,
    message,
    data,
  } satisfies BerthEvent;
}

const nodeGone = event('node.status', 'node far is unreachable: connection refused', {
  node: 'far',
  from: 'ready',
  to: 'unreachable',
});
const nodeBack = event('node.status', 'node far is reachable again', {
  node: 'far',
  from: 'unreachable',
  to: 'ready',
});
const buildFailed = event('build.finished', 'build of shop failed: RUN exited 3', {
  app: 'shop',
  status: 'failed',
});
const buildDone = event(
  'build.finished',
  'build of shop succeeded: shop runs img',
  { app: 'shop', status: 'done' },
  'shop',
);
const buildCancelled = event('build.finished', 'build of shop was cancelled', {
  app: 'shop',
  status: 'cancelled',
});
const refused = event(
  'instance.port-conflict',
  'start refused: port 8080 (http) is in use by process nginx (pid 9)',
  { portConflicts: [{ name: 'http', port: 8080 }] },
  'api-1',
);
const moved = event(
  'instance.ports',
  'port http moved from 8080 to 8081: 8080 is in use by process nginx (pid 9)',
  { name: 'http', from: 8080, to: 8081, usedBy: 'process nginx (pid 9)' },
  'api-1',
);
const pinned = event(
  'instance.ports',
  'port http pinned to 9000',
  { name: 'http', from: 8080, to: 9000 },
  'api-1',
);

describe('notificationFor: the rules that read nodes, builds and ports', () => {
  it('tells a node going away, and coming back', () => {
    expect(notificationFor(nodeGone, all)).toEqual({
      rule: 'node-unreachable',
      severity: 'error',
      title: 'node far is unreachable',
      text: 'node far is unreachable: connection refused',
      instance: null,
      ts: 1_000,
    });
    expect(notificationFor(nodeBack, all)).toMatchObject({ rule: 'node-reachable', severity: 'info' });
  });

  it('tells a failed and a succeeded build under their own rules; a cancel is not news', () => {
    expect(notificationFor(buildFailed, all)).toMatchObject({
      rule: 'build-failed',
      title: 'build of shop failed',
    });
    expect(notificationFor(buildDone, all)).toMatchObject({ rule: 'build-succeeded', instance: 'shop' });
    expect(notificationFor(buildCancelled, all)).toBeUndefined();
    expect(notificationFor(buildDone, { ...all, buildSucceeded: false })).toBeUndefined();
    expect(notificationFor(buildFailed, { ...all, buildSucceeded: false })).toBeDefined();
  });

  it('tells a start stopped by a taken port, and a port berth moved; not a pin the operator chose', () => {
    expect(notificationFor(refused, all)).toMatchObject({
      rule: 'port-conflict',
      instance: 'api-1',
      title: 'api-1 did not start: a port is taken',
    });
    expect(notificationFor(moved, all)).toMatchObject({
      rule: 'port-moved',
      title: 'api-1: port http moved',
    });
    expect(notificationFor(pinned, all)).toBeUndefined();
  });

  it('keeps the crash-loop and unhealthy rules as they were', () => {
    const crashed = event(
      'instance.restart',
      'exited with code 3; restart 1 in 0.2s',
      { exitCode: 3 },
      'api-1',
    );
    const gaveUp = event(
      'instance.status',
      'exited with code 3; gave up after 1 restart',
      { to: 'error' },
      'api-1',
    );
    const sick = event('instance.health', 'unhealthy after 3 failed checks', { to: 'unhealthy' }, 'api-1');
    expect(notificationFor(crashed, all)).toMatchObject({ rule: 'crash-loop', title: 'api-1 crashed' });
    expect(notificationFor(gaveUp, all)).toMatchObject({ rule: 'gave-up', severity: 'error' });
    expect(notificationFor(sick, all)).toMatchObject({ rule: 'unhealthy', title: 'api-1 is unhealthy' });
    expect(notificationFor(event('instance.restart', 'restart requested', {}, 'api-1'), all)).toBeUndefined();
    for (const e of [crashed, gaveUp, sick]) expect(notificationFor(e, none)).toBeUndefined();
  });

  it('tells nothing a channel turned off', () => {
    for (const e of [nodeGone, nodeBack, buildFailed, buildDone, refused, moved])
      expect(notificationFor(e, none), e.type).toBeUndefined();
  });
});
