import type { DeploySpec } from '@berth/core';
import { type ManifestOptions, renderManifest } from './kube-manifest.js';

/** What an exported Secret holds instead of a value: an export never carries a secret. */
export const SECRET_PLACEHOLDER = '<set this secret>';

/**
 * `berth export --format kubernetes`: the objects the runtime would apply, as one multi-document
 * YAML (Secret, PersistentVolumeClaim, Service, Deployment — the order `kubectl apply -f` needs). Secret values are
 * replaced by a placeholder the operator fills in.
 */
export async function exportManifestYaml(spec: DeploySpec, opts: ManifestOptions): Promise<string> {
  // The client's serializer writes the objects as the API has them; loaded only for an export.
  const { dumpYaml } = await import('@kubernetes/client-node');
  const m = renderManifest(spec, opts);
  const secret = m.secret && {
    ...m.secret,
    stringData: Object.fromEntries(
      Object.keys(m.secret.stringData ?? {}).map((k) => [k, SECRET_PLACEHOLDER]),
    ),
  };
  const docs = [secret, m.claim, m.service, m.deployment].filter((d) => d !== undefined);
  return docs.map((d) => dumpYaml(JSON.parse(JSON.stringify(d)))).join('---\n');
}
