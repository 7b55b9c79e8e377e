import { useEffect, useRef } from 'react';
import type { SessionView } from '../api/types';
import type { Route } from '../hooks/use-route';
import { allows, type Role } from '../lib/roles';

const LINKS: { page: Route['page']; label: string; href: string; also?: Route['page']; needs?: Role }[] = [
  { page: 'dashboard', label: 'Dashboard', href: '#/' },
  { page: 'instances', label: 'Instances', href: '#/instances', also: 'instance' },
  { page: 'templates', label: 'Templates', href: '#/templates', also: 'template' },
  { page: 'deploy', label: 'Deploy', href: '#/deploy', needs: 'admin' },
  { page: 'ports', label: 'Ports', href: '#/ports' },
  { page: 'nodes', label: 'Nodes', href: '#/nodes' },
  { page: 'integrations', label: 'Integrations', href: '#/integrations' },
  { page: 'notifications', label: 'Notifications', href: '#/notifications', needs: 'admin' },
  { page: 'tokens', label: 'Tokens', href: '#/tokens', needs: 'admin' },
];

/** The pages the caller's role can use, who is signed in (token name and role), and Sign out. */
export function NavBar({
  route,
  session,
  onSignOut,
}: {
  route: Route;
  session: SessionView;
  onSignOut: () => void;
}) {
  const list = useRef<HTMLUListElement>(null);
  // on a phone the pages are a strip that scrolls sideways: keep the current one in sight
  // biome-ignore lint/correctness/useExhaustiveDependencies: the current link moves with the route
  useEffect(() => {
    const ul = list.current;
    const current = ul?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!ul || !current || ul.scrollWidth <= ul.clientWidth) return;
    const left = current.offsetLeft - ul.offsetLeft;
    if (left < ul.scrollLeft || left + current.offsetWidth > ul.scrollLeft + ul.clientWidth)
      ul.scrollLeft = left - (ul.clientWidth - current.offsetWidth) / 2;
  }, [route]);
  return (
    <nav className="nav" aria-label="Main">
      <a className="brand" href="#/">
        berth
      </a>
      <ul ref={list}>
        {LINKS.filter((l) => !l.needs || allows(session.role, l.needs)).map((l) => {
          const current = route.page === l.page || route.page === l.also;
          return (
            <li key={l.page}>
              <a href={l.href} aria-current={current ? 'page' : undefined}>
                {l.label}
              </a>
            </li>
          );
        })}
      </ul>
      <span className="nav-who small muted" title={`Signed in with the token “${session.name}”`}>
        {session.name} · <span data-role={session.role}>{session.role}</span>
      </span>
      <button type="button" className="button quiet" onClick={onSignOut}>
        Sign out
      </button>
    </nav>
  );
}
