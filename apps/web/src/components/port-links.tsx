import type { InstanceView } from '../api/types';

/**
 * Each leased port as a link to it on this machine, and — when berth proxies the instance (it has
 * an HTTP port) — its two proxy addresses, both on the proxy port: `<name>.localhost`, and the
 * `/i/<name>/` path on this page's own hostname (which also works when berth is reached from
 * another machine). Never on this page's origin: an instance's page there could act as the UI.
 */
export function PortLinks({
  instance,
}: {
  instance: Pick<InstanceView, 'name' | 'ports' | 'node' | 'proxyUrl'>;
}) {
  const entries = Object.entries(instance.ports);
  const local = instance.node === 'local';
  return (
    <ul className="port-links" aria-label={`Ports of ${instance.name}`}>
      {entries.length === 0 ? <li className="muted">no ports</li> : null}
      {entries.map(([name, port]) => (
        <li key={name}>
          <span className="muted">{name}</span>{' '}
          {local ? (
            <a href={`http://127.0.0.1:${port}/`} target="_blank" rel="noreferrer">
              {port}
            </a>
          ) : (
            <span>{port}</span>
          )}
        </li>
      ))}
      {instance.proxyUrl ? (
        <>
          <li>
            <a href={instance.proxyUrl} target="_blank" rel="noreferrer">
              {new URL(instance.proxyUrl).host}
            </a>
          </li>
          <li>
            <a href={pathFormUrl(instance.proxyUrl, instance.name)} target="_blank" rel="noreferrer">
              via berth /i/{instance.name}/
            </a>
          </li>
        </>
      ) : null}
    </ul>
  );
}

/** `/i/<name>/` on the proxy port (taken from `proxyUrl`) at the hostname this page was opened with. */
function pathFormUrl(proxyUrl: string, name: string): string {
  const { port } = new URL(proxyUrl);
  return `${window.location.protocol}//${window.location.hostname}:${port}/i/${encodeURIComponent(name)}/`;
}
