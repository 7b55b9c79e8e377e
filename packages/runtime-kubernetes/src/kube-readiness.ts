import type { DeploySpec, LogLine } from '@berth/core';
import { Unprocessable } from '@berth/core';
import {
  allOf,
  httpProbe,
  logLineProbe,
  notYet,
  type Probe,
  paceDoubling,
  portProbe,
  READY,
  WaitTimedOut,
  waitUntilReady,
} from '@berth/host';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.js';
import { instanceLogs } from './kube-logs.js';
import { isPodRunning, podProblem, replicaCounts } from './pod-state.js';

export interface Workload {
  read(): Promise<{ deployment: V1Deployment; pods: V1Pod[] } | undefined>;
}

/** Ready when every desired pod is Ready; throws the pods' problem in words (CrashLoopBackOff…) at once. */
function podsProbe(w: Workload): Probe {
  return {
    async check() {
      const found = await w.read();
      if (!found) throw new Unprocessable('the Deployment was deleted while berth waited for it');
      for (const pod of found.pods) {
        const problem = podProblem(pod);
        if (problem) throw new Unprocessable(problem);
      }
      const n = replicaCounts(found.deployment, found.pods);
      return n.desired > 0 && n.ready >= n.desired ? READY : notYet(`${n.ready} of ${n.desired} pods ready`);
    },
  };
}

/** Follows the first running pod's log from its start, for a log-line readiness. */
function podLogSource(client: KubeClient, w: Workload) {
  return async function* (signal: AbortSignal): AsyncIterable<LogLine> {
    for (;;) {
      signal.throwIfAborted();
      const pod = (await w.read())?.pods.find(isPodRunning)?.metadata?.name;
      if (pod) return yield* instanceLogs(client, [pod], { follow: true, signal });
      await new Promise((r) => setTimeout(r, 250));
    }
  };
}

/**
 * What deploy and awaitReady wait for: the pods Ready by their own probes, and berth's own look
 * from outside the cluster — the port (a NodePort) answering on the node's address, or the log line.
 */
export async function waitForReadiness(
  client: KubeClient,
  /** The node's address berth probes ports at; undefined: the pods' own probes only (ClusterIP). */
  address: string | undefined,
  w: Workload,
  spec: DeploySpec,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<void> {
  const r = spec.readiness;
  const outside: Probe[] = [];
  if (r.kind === 'port' && address) outside.push(portProbe({ port: r.port, hosts: [address], holdMs: 50 }));
  if (r.kind === 'http' && address)
    outside.push(httpProbe({ url: `http://${address}:${r.port}${r.path}`, expectStatus: r.expectStatus }));
  if (r.kind === 'log') outside.push(logLineProbe(podLogSource(client, w), r.pattern));
  try {
    await waitUntilReady(allOf(podsProbe(w), ...outside), {
      what: `instance ${spec.instanceName} ready`,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      pace: paceDoubling(100, 1_000),
    });
  } catch (e) {
    if (e instanceof WaitTimedOut) {
      throw new Unprocessable(
        `${spec.instanceName} was not ready within ${Math.round(opts.timeoutMs / 1000)} s: ${e.reason ?? 'no answer'}`,
        { cause: e },
      );
    }
    throw e;
  }
}
