import { InvalidInput, isBerthError } from './errors.js';
import type { Instance } from './instance.js';
import { getStoredTemplate, type ServiceDeps } from './instance-deps.js';
import type { Runtime } from './runtime.js';
import type { RuntimeResolver } from './runtime-resolver.js';
import type { StoredTemplate } from './store.js';
import type { Template } from './template.js';
import { templateFolderOf } from './template-origin.js';

/** How many replicas an instance wants: its own count, else its template's. */
export function desiredReplicas(
  template: Pick<Template, 'replicas'>,
  inst: Pick<Instance, 'replicas'>,
): number {
  return inst.replicas ?? template.replicas;
}

/** A replica count from a request: a whole number from 1. */
export function assertReplicaCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidInput(`replicas must be a whole number from 1, got ${n}`, {
      details: { field: 'replicas' },
    });
  }
}

/**
 * Refuses `replicas` above 1 where the runtime runs one workload per instance (`Runtime.scales`),
 * or cannot run this template as several (`Runtime.scaleRefusal`: a compose service publishing a
 * host port), so a count is never accepted and then ignored.
 */
export async function refuseUnscalable(
  runtime: Runtime,
  node: string,
  stored: Pick<StoredTemplate, 'template' | 'origin'>,
  replicas: number,
): Promise<void> {
  const { template } = stored;
  if (replicas <= 1) return;
  if (!runtime.scales) {
    throw new InvalidInput(
      `node ${node} runs ${template.source.kind} templates with the ${runtime.kind} runtime, one workload per ` +
        `instance; replicas: ${replicas} cannot be honoured — create ${replicas} instances instead`,
      { details: { field: 'replicas' } },
    );
  }
  const why = await runtime.scaleRefusal?.(template, templateFolderOf(stored.origin), replicas);
  if (!why) return;
  throw new InvalidInput(
    `node ${node} cannot run template ${template.name} with replicas: ${replicas}: ${why}`,
    { details: { field: 'replicas' } },
  );
}

/**
 * The same check at create or scale, where the runtime may not resolve yet (a node that cannot run
 * the source at all says so at start): only a runtime that resolves and cannot scale refuses.
 */
export async function checkReplicas(
  runtimes: RuntimeResolver,
  node: string,
  stored: Pick<StoredTemplate, 'template' | 'origin'>,
  replicas: number,
): Promise<void> {
  if (replicas <= 1) return;
  let runtime: Runtime;
  try {
    runtime = runtimes.resolve(node, stored.template.source.kind);
  } catch (err) {
    if (isBerthError(err)) return;
    throw err;
  }
  await refuseUnscalable(runtime, node, stored, replicas);
}

/**
 * Stores the instance's new replica count and, when it runs, has the reconciler scale it (in place
 * where the runtime can: the replicas that run keep running). Refused where the runtime cannot scale.
 */
export async function scaleInstance(
  d: ServiceDeps,
  inst: Instance,
  replicas: number,
  opts: { wait?: boolean } = {},
): Promise<Instance> {
  assertReplicaCount(replicas);
  const stored = getStoredTemplate(d, inst.template);
  const { template } = stored;
  await checkReplicas(d.runtimes, inst.node, stored, replicas);
  const before = desiredReplicas(template, inst);
  const updated = d.store.instances.update(inst.id, { replicas, updatedAt: d.clock.now() });
  d.events.emit({
    type: 'instance.config',
    instanceId: inst.id,
    instanceName: inst.name,
    message: `replicas ${before} → ${replicas}`,
    data: { changed: ['replicas'], from: before, to: replicas },
  });
  if (updated.desiredState !== 'running' || before === replicas) return updated;
  const done = d.reconciler.enqueue(inst.id, 'scale');
  if (opts.wait) await done;
  else done.catch(() => undefined);
  return d.store.instances.find(inst.id) ?? updated;
}
