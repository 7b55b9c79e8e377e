import type { Template } from '../api/types';

/** What a template runs, which ports it takes and which settings it accepts. */
export function TemplateSummary({ template: t }: { template: Template }) {
  const source =
    t.source.kind === 'command'
      ? [t.source.command, ...t.source.args].join(' ')
      : t.source.kind === 'image'
        ? t.source.image
        : t.source.kind === 'compose'
          ? t.source.file
          : t.source.kind === 'external'
            ? t.source.address
            : t.source.image;
  return (
    <dl className="facts">
      <div>
        <dt>Runs</dt>
        <dd>
          <span className="tag">{t.source.kind}</span>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls when long, so a keyboard must reach it */}
          <code className="command" tabIndex={0}>
            {source}
          </code>
        </dd>
      </div>
      <div>
        <dt>Ports</dt>
        <dd>
          {t.ports.length === 0
            ? 'none'
            : t.ports.map((p) => (
                <span key={p.name} className="tag">
                  {p.name}/{p.protocol}
                  {p.preferred ? ` from ${p.preferred}` : ''}
                  {p.env ? ` → ${p.env}` : ''}
                </span>
              ))}
        </dd>
      </div>
      <div>
        <dt>Instances</dt>
        <dd>
          {t.maxInstances === 1
            ? 'one (a service)'
            : t.maxInstances
              ? `up to ${t.maxInstances}`
              : 'any number'}
        </dd>
      </div>
      {t.health ? (
        <div>
          <dt>Health</dt>
          <dd>
            {t.health.http
              ? `HTTP ${t.health.http.path} on ${t.health.http.port}`
              : t.health.tcp
                ? `TCP on ${t.health.tcp.port}`
                : 'command'}
            , every {t.health.intervalSeconds} s
          </dd>
        </div>
      ) : null}
      {t.restart ? (
        <div>
          <dt>Restart</dt>
          <dd>
            {t.restart.policy}, up to {t.restart.maxRetries} times
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
