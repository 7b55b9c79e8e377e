import type { InstanceDataView } from '@berth/contracts';
import type { Instance, NodeRecord, Template } from '@berth/core';
import { dataVolumeOf } from '@berth/runtime-kubernetes';

/**
 * Where an instance's data directory lives, for the instance view: on a Kubernetes node an
 * emptyDir or its PersistentVolumeClaim (as the runtime renders it: the template's `data`, the
 * node's storage class); null on other nodes.
 */
export function instanceData(
  owner: string,
  inst: Instance,
  reads: { node(name: string): NodeRecord | undefined; template(name: string): Template | undefined },
): InstanceDataView | null {
  const node = reads.node(inst.node);
  if (node?.kind !== 'kubernetes') return null;
  const data = reads.template(inst.template)?.data;
  const nodeClass = typeof node.config.storageClass === 'string' ? node.config.storageClass : undefined;
  const v = dataVolumeOf(
    { instanceName: inst.name, instanceId: inst.id, owner, ...(data ? { data } : {}) },
    nodeClass,
  );
  if (v.kind === 'emptyDir')
    return {
      kind: 'emptyDir',
      claim: null,
      size: null,
      storageClass: null,
      summary: 'emptyDir (lost when the pod goes)',
    };
  const cls = v.storageClass ? `class ${v.storageClass}` : "the cluster's default class";
  return {
    kind: 'persistentVolumeClaim',
    claim: v.claim,
    size: v.size,
    storageClass: v.storageClass,
    summary: `PersistentVolumeClaim ${v.claim} (${v.size}, ${cls})`,
  };
}
