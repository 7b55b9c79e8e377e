import { apiResourceList } from './resources.js';

export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-fake-kube',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** The discovery documents (/api, /apis, /api/v1, /apis/<group>/v1), or undefined for another path. */
export function discovery(pathname: string, metrics: boolean): object | undefined {
  const path = pathname.replace(/\/$/, '');
  if (path === '/version') return VERSION;
  if (path === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
    };
  if (path === '/api/v1') return apiResourceList('');
  if (path === '/apis/apps/v1') return apiResourceList('apps');
  if (path === '/apis') {
    const group = (name: string, version: string) => ({
      name,
      versions: [{ groupVersion: `${name}/${version}`, version }],
      preferredVersion: { groupVersion: `${name}/${version}`, version },
    });
    const groups = [group('apps', 'v1'), ...(metrics ? [group('metrics.k8s.io', 'v1beta1')] : [])];
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (metrics && path === '/apis/metrics.k8s.io/v1beta1') {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'metrics.k8s.io/v1beta1',
      resources: [
        { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      ],
    };
  }
  return undefined;
}
