export { KubeClient } from './kube-client.js';
export { exportManifestYaml, SECRET_PLACEHOLDER } from './kube-export.js';
export { LABEL as KUBE_LABEL, objectName } from './kube-labels.js';
export {
  dataVolumeOf,
  type KubeDataVolume,
  type KubeManifest,
  type ManifestOptions,
  renderManifest,
} from './kube-manifest.js';
export { type KubeNodeConfig, parseKubeNodeConfig } from './kube-node-config.js';
export { KubePortSource } from './kube-port-source.js';
export { KubeServiceGateway } from './kube-service-gateway.js';
export { KubernetesNodeDriver } from './kubernetes-node-driver.js';
export { KubernetesRuntime, type KubernetesRuntimeOptions } from './kubernetes-runtime.js';
