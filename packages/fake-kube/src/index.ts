export { VERSION as FAKE_KUBE_VERSION } from './discovery.js';
export { FakeKube, type FakeKubeOptions } from './fake-kube.js';
export type { KubeObject } from './object-store.js';
