import type { Route } from '../hooks/use-route';

const LINKS: { page: Route['page']; label: string; href: string; also?: Route['page'] }[] = [
  { page: 'dashboard', label: 'Dashboard', href: '#/' },
  { page: 'instances', label: 'Instances', href: '#/instances', also: 'instance' },
  { page: 'templates', label: 'Templates', href: '#/templates', also: 'template' },
  { page: 'deploy', label: 'Deploy', href: '#/deploy' },
  { page: 'ports', label: 'Ports', href: '#/ports' },
  { page: 'nodes', label: 'Nodes', href: '#/nodes' },
  { page: 'integrations', label: 'Integrations', href: '#/integrations' },
];

export function NavBar({ route, onSignOut }: { route: Route; onSignOut: () => void }) {
  return (
    <nav className="nav" aria-label="Main">
      <a className="brand" href="#/">
        berth
      </a>
      <ul>
        {LINKS.map((l) => {
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
      <button type="button" className="button quiet" onClick={onSignOut}>
        Sign out
      </button>
    </nav>
  );
}
