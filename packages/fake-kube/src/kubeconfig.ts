import { FAKE_TOKEN } from './service-proxy.js';

/** A kubeconfig (YAML is a superset of JSON) for a server reached over plain HTTP with a token. */
export function kubeconfigYaml(server: string, namespace: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      // @kubernetes/client-node 1.x refuses plain HTTP unless TLS checks are off; the fake serves HTTP on 127.0.0.1.
      clusters: [{ name: 'fake-kube', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake-kube', user: { token: FAKE_TOKEN } }],
      contexts: [{ name: 'fake-kube', context: { cluster: 'fake-kube', user: 'fake-kube', namespace } }],
      'current-context': 'fake-kube',
    },
    null,
    2,
  );
}
