import { InvalidInput, NotFound } from './errors.js';
import type { Instance } from './instance.js';
import type { ServiceDeps } from './instance-deps.js';
import { assertLabels, hasLabels, type Labels } from './instance-labels.js';

export const BULK_ACTIONS = ['start', 'stop', 'restart', 'kill', 'rm'] as const;
export type BulkActionName = (typeof BULK_ACTIONS)[number];

/** Which instances a bulk action is for: exactly one of these. */
export interface BulkSelector {
  names?: string[] | undefined;
  template?: string | undefined;
  /** Every label given must be on the instance, with the same value. */
  labels?: Labels | undefined;
  all?: boolean | undefined;
}

/** One instance's answer: what it is now, or why the action failed for it. */
export type BulkOutcome =
  | { name: string; id: string; ok: true; instance: Instance | null }
  | { name: string; id: string | null; ok: false; error: unknown };

/** The single-instance actions a bulk action runs, one instance at a time per slot. */
export interface BulkActions {
  start(id: string, opts: { wait?: boolean }): Promise<Instance>;
  stop(id: string, opts: { wait?: boolean }): Promise<Instance>;
  restart(id: string, opts: { wait?: boolean }): Promise<Instance>;
  kill(id: string, opts: { wait?: boolean }): Promise<Instance>;
  remove(id: string): Promise<void>;
}

const SELECTORS = ['names', 'template', 'labels', 'all'] as const;

/** How many instances act at once: enough to overlap waits, few enough not to flood a node. */
const SLOTS = 4;

/** Exactly one selector, or a 400 naming the field that is missing or one too many. */
export function checkSelector(s: BulkSelector): void {
  const given = SELECTORS.filter((k) => s[k] !== undefined && s[k] !== false);
  if (given.length !== 1) {
    const field = given[1] ?? 'names';
    const words = given.length === 0 ? 'none was given' : `${given.join(' and ')} were both given`;
    throw new InvalidInput(`give exactly one of names, template, labels or all: ${words}`, {
      details: { field, selectors: [...SELECTORS] },
    });
  }
  if (s.names?.length === 0) {
    throw new InvalidInput('names must list at least one instance', { details: { field: 'names' } });
  }
  if (s.labels) {
    if (Object.keys(s.labels).length === 0) {
      throw new InvalidInput('labels must name at least one label', { details: { field: 'labels' } });
    }
    assertLabels(s.labels);
  }
}

/** The instances a selector names, in its order; a name no instance has is its own failed outcome. */
export function selectInstances(
  d: Pick<ServiceDeps, 'store'>,
  s: BulkSelector,
): (Instance | { missing: string })[] {
  checkSelector(s);
  if (s.names) {
    return [...new Set(s.names)].map(
      (n) => d.store.instances.find(n) ?? d.store.instances.findByName(n) ?? { missing: n },
    );
  }
  if (s.template !== undefined) {
    const found = d.store.instances.list({ template: s.template });
    if (found.length === 0 && !d.store.templates.find(s.template)) throw new NotFound('template', s.template);
    return found;
  }
  const all = d.store.instances.list();
  return s.labels ? all.filter((i) => hasLabels(i.labels, s.labels ?? {})) : all;
}

/**
 * Runs one action on every selected instance, never stopping at a failure: each instance answers
 * for itself (what it is now, or the error), in the selector's order.
 */
export async function runBulk(
  d: Pick<ServiceDeps, 'store'>,
  actions: BulkActions,
  action: BulkActionName,
  selector: BulkSelector,
  opts: { wait?: boolean } = {},
): Promise<BulkOutcome[]> {
  const targets = selectInstances(d, selector);
  const outcomes: BulkOutcome[] = new Array(targets.length);
  let next = 0;
  const slot = async () => {
    for (let at = next++; at < targets.length; at = next++) {
      outcomes[at] = await actOn(actions, action, targets[at] as Instance | { missing: string }, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SLOTS, targets.length) }, slot));
  return outcomes;
}

async function actOn(
  actions: BulkActions,
  action: BulkActionName,
  target: Instance | { missing: string },
  opts: { wait?: boolean },
): Promise<BulkOutcome> {
  if ('missing' in target) {
    return { name: target.missing, id: null, ok: false, error: new NotFound('instance', target.missing) };
  }
  const { id, name } = target;
  try {
    if (action === 'rm') {
      await actions.remove(id);
      return { name, id, ok: true, instance: null };
    }
    return { name, id, ok: true, instance: await actions[action](id, opts) };
  } catch (error) {
    return { name, id, ok: false, error };
  }
}
