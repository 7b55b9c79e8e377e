import { useEffect, useState } from 'react';

export type Route =
  | { page: 'dashboard' }
  | { page: 'templates' }
  | { page: 'template'; name: string }
  /** `status`: only the instances in it (the dashboard's tiles link here so). */
  | { page: 'instances'; status?: string }
  | { page: 'instance'; name: string }
  | { page: 'ports' }
  | { page: 'nodes' }
  | { page: 'integrations' }
  | { page: 'notifications' }
  | { page: 'deploy' }
  | { page: 'tokens' };

/** `#/instances/web-1` → { page: 'instance', name: 'web-1' }; hash routes need nothing from the server. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [head = '', rest] = path.split('/').map((p) => decodeURIComponent(p));
  const status = new URLSearchParams(query).get('status');
  if (head === 'instances' && !rest && status) return { page: 'instances', status };
  if (head === 'templates') return rest ? { page: 'template', name: rest } : { page: 'templates' };
  if (head === 'instances') return rest ? { page: 'instance', name: rest } : { page: 'instances' };
  if (head === 'ports') return { page: 'ports' };
  if (head === 'nodes') return { page: 'nodes' };
  if (head === 'integrations') return { page: 'integrations' };
  if (head === 'notifications') return { page: 'notifications' };
  if (head === 'deploy') return { page: 'deploy' };
  if (head === 'tokens') return { page: 'tokens' };
  return { page: 'dashboard' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'dashboard':
      return '#/';
    case 'template':
      return `#/templates/${encodeURIComponent(route.name)}`;
    case 'instance':
      return `#/instances/${encodeURIComponent(route.name)}`;
    case 'instances':
      return route.status ? `#/instances?status=${encodeURIComponent(route.status)}` : '#/instances';
    default:
      return `#/${route.page}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
