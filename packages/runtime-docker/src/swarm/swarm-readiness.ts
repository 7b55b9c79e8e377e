import { type DeploySpec, type LogLine, Unprocessable, type WaitStrategy } from '@berth/core';
import {
  httpProbe,
  logLineProbe,
  notYet,
  type Probe,
  type ProbeResult,
  paceDoubling,
  portProbe,
  READY,
  WaitTimedOut,
  waitUntilReady,
} from '@berth/host';
import { portBindFailure } from '../docker-errors.js';
import { parseEngineTime } from '../docker-log-decoder.js';
import { hostPortFor } from '../wait-for-readiness.js';
import type { SwarmCluster } from './swarm-cluster.js';
import { desiredReplicas, FAILED_STATES, runningTasks, type SwarmTask } from './swarm-tasks.js';

export interface ServiceReadiness {
  cluster: SwarmCluster;
  spec: DeploySpec;
  serviceId: string;
  node: string;
  /** Engine time (ms) the deploy changed the service at: a task failing after it is this deploy's. */
  since: number;
  timeoutMs: number;
  /** The service's output from now on, for `log` readiness. */
  lines: (signal: AbortSignal) => AsyncIterable<LogLine>;
}

/** Task looks cost a manager call each: start at 50 ms, slow down to 400. */
const PACE = paceDoubling(50, 400);

/**
 * Waits until every replica Swarm wants runs and is ready per spec.readiness, each on its own
 * node's address. A task of this deploy that fails or is rejected ends the wait with the engine's
 * reason (a taken host port as PortBindFailed): Swarm would retry it, berth's deploy has failed.
 */
export async function waitForService(target: ServiceReadiness, signal?: AbortSignal): Promise<void> {
  const tasks = tasksProbe(target);
  const strategy = target.spec.readiness;
  const probe: Probe = {
    async check(s) {
      const first = await tasks.check(s);
      if (!first.ok || strategy.kind === 'none' || strategy.kind === 'health') return first;
      return strategyLook(target, strategy, tasks.running);
    },
  };
  const logs = strategy.kind === 'log' ? logLineProbe(target.lines, new RegExp(strategy.pattern)) : undefined;
  const both: Probe = logs
    ? {
        check: async (s) => {
          const r = await probe.check(s);
          return r.ok ? logs.check(s) : r;
        },
        ...(logs.changed ? { changed: () => logs.changed!() } : {}),
        close: () => logs.close?.(),
      }
    : probe;
  try {
    await waitUntilReady(both, {
      what: `${target.spec.instanceName} ready`,
      timeoutMs: target.timeoutMs,
      signal,
      pace: PACE,
    });
  } catch (err) {
    if (err instanceof WaitTimedOut) throw notReady(target, err.reason ?? 'not checked yet');
    throw err;
  }
}

interface TasksProbe extends Probe {
  running: { task: SwarmTask; addr: string }[];
}

/** Ready when as many tasks run as Swarm wants (health-checked ones run only once healthy). */
function tasksProbe(target: ServiceReadiness): TasksProbe {
  const probe: TasksProbe = {
    running: [],
    async check() {
      const service = await target.cluster.service(target.serviceId);
      if (!service) throw new Unprocessable(`${target.spec.instanceName}: its service was removed`);
      const tasks = await target.cluster.tasks([target.serviceId]);
      const failed = tasks.find(
        (t) => FAILED_STATES.has(t.Status.State) && parseEngineTime(t.CreatedAt) >= target.since,
      );
      if (failed) throw taskFailed(target, failed);
      const nodes = await target.cluster.nodes();
      const running = runningTasks(tasks);
      probe.running = running.map((task) => ({ task, addr: nodes.get(task.NodeID ?? '')?.addr ?? '' }));
      const desired = desiredReplicas(service);
      if (running.length < desired) {
        const states = tasks.filter((t) => t.DesiredState === 'running').map((t) => t.Status.State);
        return notYet(
          `${running.length} of ${desired} replicas run (${states.join(', ') || 'none scheduled'})`,
        );
      }
      return READY;
    },
  };
  return probe;
}

/** One port or HTTP look at every running replica, on the address of the node it runs on. */
async function strategyLook(
  target: ServiceReadiness,
  strategy: Extract<WaitStrategy, { kind: 'port' | 'http' | 'log' }>,
  running: { addr: string }[],
): Promise<ProbeResult> {
  if (strategy.kind === 'log') return READY;
  const port = hostPortFor(target.spec, strategy.port);
  for (const { addr } of running) {
    const host = addr.includes(':') ? `[${addr}]` : addr;
    const look =
      strategy.kind === 'http'
        ? httpProbe({
            url: `http://${host}:${port}${strategy.path}`,
            expectStatus: strategy.expectStatus,
            okBelow: 400,
          })
        : portProbe({ port, hosts: [addr], holdMs: 30 });
    const result = await look.check();
    if (!result.ok) return result;
  }
  return READY;
}

function taskFailed(target: ServiceReadiness, task: SwarmTask): Error {
  const reason = task.Status.Err ?? task.Status.Message ?? task.Status.State;
  const bind = portBindFailure(new Error(reason), target.spec, target.node);
  if (bind) return bind;
  return new Unprocessable(`${target.spec.instanceName}: a replica was ${task.Status.State}: ${reason}`, {
    code: 'NOT_READY',
    details: { state: task.Status.State, exitCode: task.Status.ContainerStatus?.ExitCode ?? null },
  });
}

function notReady(target: ServiceReadiness, reason: string): Unprocessable {
  const seconds = Math.round(target.timeoutMs / 100) / 10;
  return new Unprocessable(`${target.spec.instanceName} did not become ready within ${seconds}s: ${reason}`, {
    code: 'NOT_READY',
  });
}
