import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { recordEvent } from './events.js';
import type { KubeObject, ObjectStore } from './object-store.js';

interface ClaimSpec {
  storageClassName?: string;
  volumeName?: string;
  volumeMode?: string;
  accessModes?: string[];
  resources?: { requests?: { storage?: string } };
}

/**
 * The storage side of the fake cluster: the DefaultStorageClass admission plugin (a claim naming no
 * class gets the default one) and a dynamic provisioner like kind's local-path one — a claim of a
 * known class is bound at once to a new volume, a folder on this machine that outlives every pod
 * using it and goes with the claim (reclaim policy Delete). A claim of an unknown class stays
 * Pending, with the real ProvisioningFailed event.
 */
export class VolumeProvisioner {
  constructor(
    private readonly store: ObjectStore,
    private readonly root: string,
    /** The cluster's storage classes; the first is the default. */
    private readonly classes: string[],
  ) {}

  /** Before a new claim is stored: its class defaulted, then bound when the class exists. */
  admit(claim: KubeObject): void {
    const spec = claim.spec as ClaimSpec;
    if (spec.storageClassName === undefined && this.classes[0]) spec.storageClassName = this.classes[0];
    spec.volumeMode ??= 'Filesystem';
    if (!spec.storageClassName || !this.classes.includes(spec.storageClassName)) {
      claim.status = { phase: 'Pending' };
      const why = spec.storageClassName
        ? `storageclass.storage.k8s.io "${spec.storageClassName}" not found`
        : 'no storage class is set and the cluster has no default one';
      // After the claim is stored (an event names its uid): the API stores it once this hook returns.
      setImmediate(() => {
        const stored = this.store.get(
          'persistentvolumeclaims',
          claim.metadata.namespace,
          claim.metadata.name,
        );
        if (stored)
          recordEvent(
            this.store,
            stored,
            'Warning',
            'ProvisioningFailed',
            why,
            'persistentvolume-controller',
          );
      });
      return;
    }
    spec.volumeName = `pvc-${randomUUID()}`;
    mkdirSync(join(this.root, spec.volumeName), { recursive: true });
    claim.status = {
      phase: 'Bound',
      accessModes: spec.accessModes ?? ['ReadWriteOnce'],
      capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
    };
  }

  /** The folder of a bound claim's volume, or why a pod using it cannot be scheduled. */
  volumeOf(ns: string, claimName: string): { dir: string } | { problem: string } {
    const claim = this.store.get('persistentvolumeclaims', ns, claimName);
    if (!claim) return { problem: `persistentvolumeclaim "${claimName}" not found` };
    const spec = claim.spec as ClaimSpec;
    if ((claim.status as { phase?: string } | undefined)?.phase !== 'Bound' || !spec.volumeName)
      return { problem: 'pod has unbound immediate PersistentVolumeClaims' };
    return { dir: join(this.root, spec.volumeName) };
  }

  /** A deleted claim's volume goes with it (reclaim policy Delete). */
  release(claim: KubeObject): void {
    const name = (claim.spec as ClaimSpec).volumeName;
    if (name) rmSync(join(this.root, name), { recursive: true, force: true });
  }
}
