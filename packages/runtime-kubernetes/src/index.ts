// What the server imports when it starts: none of it loads @kubernetes/client-node (1.2 s of module
// loading). The driver loads the client when a kubernetes node is first checked or opened, the
// export when a manifest is printed; KubernetesRuntime, KubeClient and the rest are reached through
// them (tests import them from their files).
export { exportManifestYaml, SECRET_PLACEHOLDER } from './kube-export.js';
export { LABEL as KUBE_LABEL, objectName } from './kube-labels.js';
export {
  dataVolumeOf,
  type KubeDataVolume,
  type KubeManifest,
  type ManifestOptions,
  renderManifest,
} from './kube-manifest.js';
export type { KubeNodeConfig } from './kube-node-config.js';
export { KubernetesNodeDriver } from './kubernetes-node-driver.js';
export type { KubernetesRuntimeOptions } from './kubernetes-runtime.js';
