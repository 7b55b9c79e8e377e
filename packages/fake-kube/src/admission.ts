import { randomBytes } from 'node:crypto';
import type { KubeObject } from './object-store.js';
import type { ResourceDef } from './resources.js';
import { invalid } from './status.js';

type Obj = Record<string, unknown>;

/** A random suffix of the API's alphabet (no vowels, no look-alikes), as generateName and the ReplicaSet use. */
export function randomSuffix(n: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** The registry's defaults and checks that are not part of the schema, per kind. */
export function defaultObject(def: ResourceDef, obj: KubeObject): void {
  obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  obj.kind = def.kind;
  if (def.plural === 'deployments') defaultDeployment(obj);
  if (def.plural === 'pods') {
    obj.spec ??= {};
    defaultPodSpec(obj.spec as Obj);
    obj.status ??= { phase: 'Pending', qosClass: 'BestEffort' };
  }
  if (def.plural === 'secrets') defaultSecret(obj);
  if (def.plural === 'namespaces') obj.status = { phase: 'Active' };
}

function defaultDeployment(obj: KubeObject): void {
  const spec = obj.spec as Obj;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
  const template = spec.template as { metadata?: { labels?: Record<string, string> }; spec: Obj };
  defaultPodSpec(template.spec);
  const selector = (spec.selector as { matchLabels?: Record<string, string> }).matchLabels ?? {};
  const labels = template.metadata?.labels ?? {};
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    throw invalid({ group: 'apps', kind: 'Deployment', plural: 'deployments', name: obj.metadata.name }, [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
        field: 'spec.template.metadata.labels',
      },
    ]);
  }
  obj.status ??= {};
}

function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  for (const c of (spec.containers as Obj[] | undefined) ?? []) {
    c.imagePullPolicy ??=
      String(c.image).endsWith(':latest') || !String(c.image).includes(':') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
  }
}

function defaultSecret(obj: KubeObject): void {
  obj.type ??= 'Opaque';
  const stringData = obj.stringData as Record<string, string> | undefined;
  if (!stringData) return;
  obj.data ??= {};
  const data = obj.data as Record<string, string>;
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  delete obj.stringData;
}

/** Fields the server owns keep their stored values on a replace (status through the main resource is ignored). */
export function keepServerFields(def: ResourceDef, obj: KubeObject, old: KubeObject): void {
  if (def.plural === 'deployments' || def.plural === 'pods' || def.plural === 'services')
    obj.status = old.status;
  if (def.plural === 'pods')
    obj.spec = { ...(old.spec as Obj), ...(obj.spec as Obj), nodeName: (old.spec as Obj).nodeName };
  if (def.plural === 'persistentvolumeclaims') {
    // A bound claim's spec is immutable but for its requested size; the binding stays.
    obj.status = old.status;
    obj.spec = { ...(old.spec as Obj), resources: (obj.spec as Obj | undefined)?.resources };
  }
  if (old.metadata.deletionTimestamp) obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
}
