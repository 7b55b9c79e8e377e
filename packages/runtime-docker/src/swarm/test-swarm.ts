import type { NodeProbe } from '@berth/core';
import type Dockerode from 'dockerode';
import { engineMessage } from '../docker-errors.js';
import { withDeadline } from '../engine-deadline.js';
import { testDocker } from '../test-docker.js';

interface SwarmInfo {
  Swarm?: {
    LocalNodeState?: string;
    ControlAvailable?: boolean;
    NodeID?: string;
    Nodes?: number;
    Managers?: number;
    Cluster?: { ID?: string };
  };
}

/**
 * Reaches the engine (its version, as for a docker node), then asks whether it manages a swarm:
 * berth deploys services through a manager, so an engine outside any swarm, or a worker, is refused
 * with what to do about it.
 */
export async function testSwarm(docker: Dockerode, timeoutMs: number): Promise<NodeProbe> {
  const engine = await testDocker(docker, { timeoutMs });
  if (!engine.ok) return engine;
  let info: SwarmInfo;
  try {
    info = (await withDeadline(
      'swarm',
      'engine info',
      (abortSignal) => (docker.info as (o: object) => Promise<unknown>).call(docker, { abortSignal }),
      timeoutMs,
    )) as SwarmInfo;
  } catch (err) {
    return {
      ok: false,
      reason: 'unknown',
      message: `the engine answered its version but not its info: ${engineMessage(err)}`,
    };
  }
  const swarm = info.Swarm ?? {};
  if (swarm.LocalNodeState !== 'active') {
    return {
      ok: false,
      reason: 'not-swarm',
      message: `Docker ${engine.version} answers, but it is not part of a swarm (state: ${swarm.LocalNodeState || 'inactive'}): run 'docker swarm init' on it, or add it as a node of kind docker`,
    };
  }
  if (!swarm.ControlAvailable) {
    return {
      ok: false,
      reason: 'not-manager',
      message: `Docker ${engine.version} is a swarm worker; berth needs a manager's endpoint ('docker node ls' on a manager lists them)`,
    };
  }
  const nodes = swarm.Nodes ?? 0;
  return {
    ok: true,
    version: `Swarm (${nodes} node${nodes === 1 ? '' : 's'}) on Docker ${engine.version}`,
    latencyMs: engine.latencyMs,
    details: {
      apiVersion: engine.apiVersion,
      nodes,
      managers: swarm.Managers ?? 0,
      nodeId: swarm.NodeID ?? null,
      clusterId: swarm.Cluster?.ID ?? null,
    },
  };
}
