import type { Logger, RemoveOptions } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABEL } from '../berth-labels.js';
import { engineMessage, isConflict, isNotFound } from '../docker-errors.js';
import type { SwarmCluster } from './swarm-cluster.js';
import type { SwarmService } from './swarm-tasks.js';

interface ServiceMount {
  Type?: string;
  Source?: string;
  VolumeOptions?: { Labels?: Record<string, string> };
}

/** Whose volumes they are: only a volume carrying both labels is ever removed. */
export interface VolumeOwner {
  owner: string;
  instanceId: string;
}

/** How long a volume still in use (a task's container being torn down) is tried again. */
const IN_USE_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The named volumes of a service that `opts` asks to remove: with `volumes` every one, with `data`
 * the instance's data volumes (a service made before volumes said their kind: all of them — the
 * only named volume a Swarm instance had was its data directory).
 */
export function volumesToRemove(service: SwarmService, opts: RemoveOptions): string[] {
  const mounts = (service.Spec.TaskTemplate?.ContainerSpec?.Mounts ?? []) as ServiceMount[];
  return mounts
    .filter((m) => m.Type === 'volume' && m.Source)
    .filter((m) => opts.volumes || (opts.data && m.VolumeOptions?.Labels?.[LABEL.volumeKind] !== 'volume'))
    .map((m) => m.Source!);
}

/**
 * Removes an instance's volumes on every engine of the swarm berth reaches (the manager's, and those
 * the node names). Each node that ran a task made its own copy: those on nodes berth cannot reach
 * stay, and the log names the nodes. Returns the names of those nodes.
 */
export async function removeVolumes(
  cluster: SwarmCluster,
  names: string[],
  whose: VolumeOwner,
  taskNodes: (string | undefined)[],
  log: Logger,
): Promise<string[]> {
  if (names.length === 0) return [];
  for (const engine of await cluster.reachableEngines())
    for (const name of names) await removeOne(engine, name, whose, log);
  const unreached: string[] = [];
  const nodes = await cluster.nodes();
  for (const id of new Set(taskNodes))
    if (id && !(await cluster.engineOf(id))) unreached.push(nodes.get(id)?.name ?? id);
  if (unreached.length > 0)
    log.warn(
      { volumes: names, nodes: unreached },
      `volume(s) ${names.join(', ')} stay on ${unreached.join(', ')}: berth does not reach those engines (docker volume rm there)`,
    );
  return unreached;
}

async function removeOne(engine: Dockerode, name: string, whose: VolumeOwner, log: Logger): Promise<void> {
  const volume = engine.getVolume(name);
  let labels: Record<string, string>;
  try {
    labels = ((await volume.inspect()) as { Labels?: Record<string, string> | null }).Labels ?? {};
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (labels[LABEL.owner] !== whose.owner || labels[LABEL.instanceId] !== whose.instanceId) return;
  const deadline = Date.now() + IN_USE_MS;
  for (;;) {
    try {
      await volume.remove();
      log.info({ volume: name }, `Removed volume ${name}`);
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || Date.now() > deadline) {
        log.warn({ volume: name, err: engineMessage(err) }, `could not remove volume ${name}; it stays`);
        return;
      }
      await sleep(250); // still mounted by a task's container the engine is removing
    }
  }
}
