export { type KubeManifest, type ManifestOptions, renderManifest } from './kube-manifest.js';
