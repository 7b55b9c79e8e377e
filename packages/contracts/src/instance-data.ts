import { z } from 'zod';

/**
 * Where an instance's data directory lives on a Kubernetes node: an `emptyDir` (lost when the pod
 * goes) or the instance's PersistentVolumeClaim (kept across redeploys and restarts, deleted with
 * `berth rm --volumes` or `gc`). Null on other nodes.
 */
export const instanceDataSchema = z.object({
  kind: z.enum(['emptyDir', 'persistentVolumeClaim']),
  /** The claim's name in the node's namespace; null for an emptyDir. */
  claim: z.string().nullable(),
  /** The size the claim requests (`1Gi`); null for an emptyDir. */
  size: z.string().nullable(),
  /** The claim's storage class (the template's, else the node's); null: the cluster's default class. */
  storageClass: z.string().nullable(),
  /** The same in words: `emptyDir (lost when the pod goes)`, `PersistentVolumeClaim web-1-ab12cd (1Gi, class standard)`. */
  summary: z.string(),
});
export type InstanceDataView = z.infer<typeof instanceDataSchema>;
