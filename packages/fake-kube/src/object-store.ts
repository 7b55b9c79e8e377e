import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { matchesSelector, parseSelector, type Requirement } from './selector.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: IObjectMeta & { name: string };
  [field: string]: unknown;
}

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchType;
  plural: string;
  object: KubeObject;
  rv: number;
}

const HISTORY = 2_000;
const clone = <T>(o: T): T => structuredClone(o);

/**
 * The API server's storage (etcd's part): objects by resource, namespace and name, one
 * resourceVersion counter, and a bounded history so a watch can start from a version.
 */
export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private rv = 1;

  get resourceVersion(): number {
    return this.rv;
  }

  get(plural: string, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(key(plural, ns, name));
    return o && clone(o);
  }

  list(plural: string, ns?: string, labelSelector?: string, fieldSelector?: string): KubeObject[] {
    const labels = parseSelector(labelSelector ?? '');
    const fields = parseSelector(fieldSelector ?? '');
    const out: KubeObject[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(`${plural}/`)) continue;
      if (ns !== undefined && o.metadata.namespace !== ns) continue;
      if (matches(o, labels, fields)) out.push(clone(o));
    }
    return out.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Stores a new object: uid, resourceVersion, creationTimestamp and generation are the server's. */
  create(plural: string, obj: KubeObject): KubeObject {
    const stored = clone(obj);
    stored.metadata = {
      ...stored.metadata,
      uid: randomUUID(),
      resourceVersion: String(++this.rv),
      creationTimestamp: new Date().toISOString() as never,
      generation: 1,
    };
    this.objects.set(key(plural, stored.metadata.namespace, stored.metadata.name), stored);
    this.emit('ADDED', plural, stored);
    return clone(stored);
  }

  /** Replaces an object; the generation moves only when its spec changed (as the API server does). */
  update(plural: string, obj: KubeObject): KubeObject {
    const k = key(plural, obj.metadata.namespace, obj.metadata.name);
    const old = this.objects.get(k);
    const stored = clone(obj);
    const specChanged = JSON.stringify(old?.spec) !== JSON.stringify(stored.spec);
    stored.metadata = {
      ...stored.metadata,
      uid: old?.metadata.uid ?? stored.metadata.uid,
      creationTimestamp: old?.metadata.creationTimestamp ?? stored.metadata.creationTimestamp,
      resourceVersion: String(++this.rv),
      generation: (old?.metadata.generation ?? 1) + (old && specChanged ? 1 : 0),
    };
    this.objects.set(k, stored);
    this.emit('MODIFIED', plural, stored);
    return clone(stored);
  }

  remove(plural: string, ns: string | undefined, name: string): KubeObject | undefined {
    const k = key(plural, ns, name);
    const old = this.objects.get(k);
    if (!old) return undefined;
    this.objects.delete(k);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } };
    this.emit('DELETED', plural, gone);
    return clone(gone);
  }

  /** Events after `sinceRv` still in the history, or undefined when it no longer reaches that far (410 Gone). */
  since(sinceRv: number): StoreEvent[] | undefined {
    if (this.history.length > 0 && this.history[0]!.rv > sinceRv + 1 && sinceRv < this.rv - HISTORY)
      return undefined;
    return this.history.filter((e) => e.rv > sinceRv).map(clone);
  }

  onChange(listener: (e: StoreEvent) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  private emit(type: WatchType, plural: string, object: KubeObject): void {
    const e: StoreEvent = { type, plural, object: clone(object), rv: this.rv };
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    this.emitter.emit('change', e);
  }
}

const key = (plural: string, ns: string | undefined, name: string) => `${plural}/${ns ?? ''}/${name}`;

export function matches(o: KubeObject, labels: Requirement[], fields: Requirement[]): boolean {
  const fieldValues: Record<string, string> = {
    'metadata.name': o.metadata.name,
    'metadata.namespace': o.metadata.namespace ?? '',
  };
  const spec = o.spec as { nodeName?: string } | undefined;
  if (spec?.nodeName) fieldValues['spec.nodeName'] = spec.nodeName;
  return matchesSelector(o.metadata.labels ?? {}, labels) && matchesSelector(fieldValues, fields);
}
