import { randomSuffix } from './admission.js';
import type { KubeObject, ObjectStore } from './object-store.js';

/** Records a v1 Event about an object, as the kubelet and controllers do (Scheduled, Started, BackOff…). */
export function recordEvent(
  store: ObjectStore,
  about: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
): void {
  const ns = about.metadata.namespace ?? 'default';
  if (!store.get('namespaces', undefined, ns)) return;
  const now = new Date().toISOString();
  store.create('events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${about.metadata.name}.${randomSuffix(8)}`, namespace: ns },
    involvedObject: {
      apiVersion: about.apiVersion,
      kind: about.kind,
      name: about.metadata.name,
      namespace: ns,
      uid: about.metadata.uid,
    },
    reason,
    message,
    type,
    source: { component },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    reportingComponent: component,
  });
}
