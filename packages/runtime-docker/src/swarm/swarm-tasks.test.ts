import { describe, expect, it } from 'vitest';
import {
  replacing,
  replicaStates,
  type SwarmNodeInfo,
  type SwarmService,
  type SwarmTask,
} from './swarm-tasks.js';

const service: SwarmService = {
  ID: 'svc',
  Version: { Index: 1 },
  Spec: { Name: 'berth-web', Mode: { Replicated: { Replicas: 2 } } },
};

function nodes(workerDown: boolean): Map<string, SwarmNodeInfo> {
  return new Map([
    ['m', { id: 'm', name: 'manager', addr: '10.0.0.1', down: false }],
    ['w', { id: 'w', name: 'worker', addr: '10.0.0.2', down: workerDown }],
  ]);
}

let seq = 0;
function task(
  slot: number,
  node: string | undefined,
  state: string,
  desired = 'running',
  err?: string,
): SwarmTask {
  seq++;
  return {
    ID: `t${seq}`,
    ServiceID: 'svc',
    ...(node ? { NodeID: node } : {}),
    Slot: slot,
    DesiredState: desired,
    CreatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    Status: { State: state, ...(err ? { Err: err } : {}) },
  };
}

describe('replicaStates when a node goes down', () => {
  const one = task(1, 'm', 'running');
  const lost = task(2, 'w', 'running', 'shutdown');

  it('keeps the replica lost on its node, node-down, while its replacement is on its way elsewhere', () => {
    const replacement = task(2, 'm', 'assigned', 'ready');
    expect(replicaStates(service, [one, lost, replacement], nodes(true))).toEqual([
      { id: '1', node: 'manager', state: 'running', message: null },
      {
        id: '2',
        node: 'worker',
        state: 'node-down',
        message: 'node worker is down; Swarm reschedules its replica; its new task is assigned on manager',
      },
    ]);
  });

  it('a task still on the node that went down is node-down there', () => {
    const stale = task(2, 'w', 'running');
    expect(replicaStates(service, [one, stale], nodes(true))[1]).toEqual({
      id: '2',
      node: 'worker',
      state: 'node-down',
      message: 'node worker is down; Swarm reschedules its replica',
    });
  });

  it('the replacement running is the replica again, on its new node; a rejected one says why', () => {
    const running = task(2, 'm', 'running');
    expect(replicaStates(service, [one, lost, running], nodes(true))[1]).toEqual({
      id: '2',
      node: 'manager',
      state: 'running',
      message: null,
    });
    const rejected = task(2, 'm', 'rejected', 'shutdown', 'No such image: web:2');
    expect(replicaStates(service, [one, lost, rejected], nodes(true))[1]).toEqual({
      id: '2',
      node: 'manager',
      state: 'rejected',
      message: 'No such image: web:2',
    });
  });

  it('a task that failed on a node later lost is not a replica lost with it', () => {
    const failed = task(2, 'w', 'failed', 'shutdown', 'exit 1');
    const next = task(2, 'm', 'starting');
    expect(replicaStates(service, [one, failed, next], nodes(true))[1]).toMatchObject({
      node: 'manager',
      state: 'starting',
    });
  });
});

describe('replicaStates when a task fails', () => {
  it('the new task Swarm starts at once carries the failure and its reason until it runs', () => {
    const one = task(1, 'm', 'running');
    const failed = task(2, 'w', 'failed', 'shutdown', 'task: non-zero exit (137)');
    expect(replicaStates(service, [one, failed, task(2, undefined, 'new')], nodes(false))[1]).toEqual({
      id: '2',
      node: null,
      state: 'new',
      message: 'its task failed: task: non-zero exit (137); Swarm starts a new one',
    });
    expect(replicaStates(service, [one, failed, task(2, 'w', 'running')], nodes(false))[1]).toEqual({
      id: '2',
      node: 'worker',
      state: 'running',
      message: null,
    });
  });

  it('a task replaced by an update (shut down, not failed) gives its successor no reason', () => {
    const old = task(1, 'm', 'shutdown', 'shutdown');
    expect(replicaStates(service, [old, task(1, 'm', 'starting')], nodes(false))[0]).toMatchObject({
      state: 'starting',
      message: null,
    });
  });
});

describe('replacing', () => {
  it('is true while a slot newest task does not run and an older one still reads running', () => {
    const one = task(1, 'm', 'running');
    const old = task(2, 'w', 'running', 'shutdown');
    expect(replacing([one, old, task(2, 'm', 'ready', 'ready')])).toBe(true);
    expect(replacing([one, old, task(2, 'm', 'running')])).toBe(false);
    expect(replacing([one, task(2, 'w', 'running')])).toBe(false);
  });
});
