import { InvalidInput } from './errors.js';
import type { Instance } from './instance.js';
import type { ServiceDeps } from './instance-deps.js';

/** An instance's labels: key → value, as Kubernetes spells them (`team=web`, `example.com/tier=db`). */
export type Labels = Record<string, string>;

/** A label's name part and a value: 1–63 (a value 0–63) alphanumerics, `-`, `_`, `.` inside. */
const NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
/** A key's prefix: a DNS subdomain, up to 253 characters. */
const PREFIX = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** What is wrong with a label key, or null: `[prefix/]name` as Kubernetes takes them. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) {
    return 'its prefix (before /) must be a DNS subdomain: lowercase letters, digits, - and ., at most 253 characters';
  }
  if (!NAME.test(name)) {
    return 'its name must be 1–63 letters, digits, -, _ or ., starting and ending with a letter or digit';
  }
  return null;
}

/** What is wrong with a label value, or null: empty, or 1–63 characters as a key's name. */
export function labelValueProblem(value: string): string | null {
  if (value === '' || NAME.test(value)) return null;
  return 'a value must be at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit';
}

/** Throws a 400 naming `labels.<key>` for the first key or value Kubernetes would refuse. */
export function assertLabels(labels: Record<string, string | null>): void {
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? (value === null ? null : labelValueProblem(value));
    if (problem) {
      throw new InvalidInput(`label '${key}': ${problem}`, { details: { field: `labels.${key}` } });
    }
  }
}

/** The labels after an edit: a value sets a label, `null` removes it. */
export function editedLabels(current: Labels, input: Record<string, string | null>): Labels {
  assertLabels(input);
  const labels = { ...current };
  for (const [key, value] of Object.entries(input)) {
    if (value === null) delete labels[key];
    else labels[key] = value;
  }
  return labels;
}

/** Whether every `wanted` label is on `labels` with the same value. */
export function hasLabels(labels: Labels | null | undefined, wanted: Labels): boolean {
  return Object.entries(wanted).every(([key, value]) => labels?.[key] === value);
}

/** Stores an instance's new labels (nothing runs differently) and says what changed. */
export function writeLabels(
  d: Pick<ServiceDeps, 'store' | 'events' | 'clock'>,
  inst: Instance,
  labels: Labels,
): Instance {
  const before = inst.labels ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(labels)])].sort();
  const changed = keys.filter((k) => before[k] !== labels[k]);
  if (changed.length === 0) return inst;
  const empty = Object.keys(labels).length === 0;
  const updated = d.store.instances.update(inst.id, {
    labels: empty ? null : labels,
    updatedAt: d.clock.now(),
  });
  const words = changed.map((k) => (labels[k] === undefined ? `${k} removed` : `${k}=${labels[k]}`));
  d.events.emit({
    type: 'instance.config',
    instanceId: inst.id,
    instanceName: inst.name,
    message: `labels: ${words.join(', ')}`,
    data: { changed: changed.map((k) => `labels.${k}`) },
  });
  return updated;
}
