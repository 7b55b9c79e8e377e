import type { InstanceView } from '../api/types';

type LinkedInstance = Pick<InstanceView, 'name' | 'ports' | 'proxyUrl' | 'status'> & {
  links?: InstanceView['links'];
};

/**
 * Each leased port, labelled with its name: a proxied port (tcp, HTTP) links to it at its node's
 * address and through berth's proxy at `<port>.<name>.localhost`; the default one — the port
 * `<name>.localhost` and the `/i/<name>/` path (on this page's own hostname, which also works when
 * berth is reached from another machine) serve — is marked. Proxy links are never on this page's
 * origin: an instance's page there could act as the UI. An instance that is not running shows its
 * ports as plain numbers: nothing answers behind a link.
 */
export function PortLinks({ instance }: { instance: LinkedInstance }) {
  const entries = Object.entries(instance.ports);
  const live = instance.status === 'running';
  const links = new Map((live ? (instance.links ?? []) : []).map((l) => [l.port, l]));
  const primary = links.size > 0 ? (instance.links ?? []).find((l) => l.primary) : undefined;
  const proxyUrl = live ? instance.proxyUrl : null;
  return (
    <ul className="port-links" aria-label={`Ports of ${instance.name}`}>
      {entries.length === 0 ? <li className="muted">no ports</li> : null}
      {entries.map(([name, port]) => {
        const link = links.get(name);
        const proxied = link?.primary && proxyUrl ? proxyUrl : link?.proxyUrl;
        return (
          <li key={name}>
            <span className="muted">{name}</span>{' '}
            {link ? (
              <a href={link.url} target="_blank" rel="noreferrer" title={`port ${name} at its node`}>
                {port}
              </a>
            ) : (
              <span title={live ? undefined : `port ${name}: ${instance.name} is not running`}>{port}</span>
            )}
            {proxied ? (
              <>
                {' '}
                <a
                  href={proxied}
                  target="_blank"
                  rel="noreferrer"
                  title={`port ${name} through berth's proxy`}
                >
                  {new URL(proxied).host}
                </a>
              </>
            ) : null}
            {link?.primary ? <span className="muted"> (default)</span> : null}
          </li>
        );
      })}
      {proxyUrl ? (
        <li>
          <a
            href={pathFormUrl(proxyUrl, instance.name)}
            target="_blank"
            rel="noreferrer"
            title={primary ? `port ${primary.port} through berth's proxy` : undefined}
          >
            via berth /i/{instance.name}/
          </a>
          {primary ? <span className="muted"> → {primary.port}</span> : null}
        </li>
      ) : null}
    </ul>
  );
}

/** `/i/<name>/` on the proxy port (taken from `proxyUrl`) at the hostname this page was opened with. */
function pathFormUrl(proxyUrl: string, name: string): string {
  const { port } = new URL(proxyUrl);
  return `${window.location.protocol}//${window.location.hostname}:${port}/i/${encodeURIComponent(name)}/`;
}
