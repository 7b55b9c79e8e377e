import type { DetectResult } from '../api/types';
import { formatArgv } from '../lib/argv';

const STACK_NAMES: Record<string, string> = {
  node: 'Node.js',
  python: 'Python',
  php: 'PHP',
  go: 'Go',
  ruby: 'Ruby',
  java: 'Java',
  dotnet: 'C# / .NET',
  rust: 'Rust',
  static: 'Static site',
  dockerfile: 'Its own Dockerfile',
};

const DB_NAMES: Record<string, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mongodb: 'MongoDB',
  redis: 'Redis',
};

export function stackName(stack: string | null): string {
  return stack ? (STACK_NAMES[stack] ?? stack) : 'Not recognised';
}

export function dbName(db: string): string {
  return DB_NAMES[db] ?? db;
}

function confidenceWord(c: number): string {
  if (c >= 80) return 'sure';
  if (c >= 50) return 'fairly sure';
  return 'unsure';
}

/** What detection found and why: stack, framework, confidence, the files that say so, commands, port, notes. */
export function DetectionSummary({ result }: { result: DetectResult }) {
  const d = result.detection;
  const commands: [string, string][] = [
    ...d.install.map((c): [string, string] => ['Install', formatArgv(c)]),
    ...d.build.map((c): [string, string] => ['Build', formatArgv(c)]),
    ...(d.start ? [['Start', formatArgv(d.start)] as [string, string]] : []),
  ];
  return (
    <div className="detection" data-stack={d.stack ?? 'none'}>
      <div className="detection-head">
        <div>
          <p className="muted small">Stack</p>
          <p className="detection-stack">
            <strong>{stackName(d.stack)}</strong>
            {d.framework ? <span className="tag">{d.framework}</span> : null}
            {d.packageManager ? <span className="tag">{d.packageManager}</span> : null}
            {d.runtimeVersion ? <span className="tag">version {d.runtimeVersion}</span> : null}
          </p>
        </div>
        <div className="confidence">
          <label htmlFor="detect-confidence" className="muted small">
            Confidence: {d.confidence} % ({confidenceWord(d.confidence)})
          </label>
          <meter
            id="detect-confidence"
            min={0}
            max={100}
            low={50}
            high={80}
            optimum={100}
            value={d.confidence}
          />
        </div>
      </div>

      {d.unsupported ? (
        <p className="notice notice-error" role="alert">
          berth cannot deploy this repository: {d.unsupported.reason}
          {d.unsupported.found.length ? ` (found ${d.unsupported.found.join(', ')})` : ''}
        </p>
      ) : null}
      {result.planError ? (
        <p className="notice notice-error" role="alert">
          No Dockerfile can be planned: {result.planError}
        </p>
      ) : null}
      {d.monorepo ? (
        <div className="notice">
          A monorepo ({d.monorepo.tool}) with {d.monorepo.packages.length} package
          {d.monorepo.packages.length === 1 ? '' : 's'}:{' '}
          {d.monorepo.packages
            .map(
              (p) =>
                `${p.path} (${p.stack ? stackName(p.stack) : '?'}${p.framework ? `, ${p.framework}` : ''})`,
            )
            .join('; ')}
          . Deploy one package by its folder.
        </div>
      ) : null}

      <h3>Evidence</h3>
      {d.evidence.length ? (
        <ul className="evidence" aria-label="Evidence">
          {d.evidence.map((e) => (
            <li key={`${e.file}-${e.reason}`}>
              <code>{e.file}</code> <span className="muted">— {e.reason}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No file told berth what this is.</p>
      )}

      <dl className="facts detection-facts">
        <div>
          <dt>Port</dt>
          <dd>
            <span className="num">{d.port}</span>{' '}
            <span className="muted small">
              {d.portFromEnv ? 'the app reads PORT' : 'the framework’s default'} (inside the container)
            </span>
          </dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <code>{d.healthPath}</code>
          </dd>
        </div>
        <div>
          <dt>Databases</dt>
          <dd>{d.databases.length ? d.databases.map(dbName).join(', ') : 'none implied'}</dd>
        </div>
        {d.dockerfile ? (
          <div>
            <dt>Dockerfile</dt>
            <dd>
              <code>{d.dockerfile.path}</code>{' '}
              <span className="muted small">
                FROM {d.dockerfile.from.join(', ') || '?'}
                {d.dockerfile.exposedPorts.length ? `, EXPOSE ${d.dockerfile.exposedPorts.join(' ')}` : ''}
              </span>
            </dd>
          </div>
        ) : null}
        {commands.map(([what, line], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: commands repeat words; their order is their identity
          <div key={`${what}-${i}`}>
            <dt>{what}</dt>
            <dd>
              <code className="command">{line}</code>
            </dd>
          </div>
        ))}
      </dl>

      {d.notes.length ? (
        <>
          <h3>Worth knowing</h3>
          <ul className="notes">
            {d.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </>
      ) : null}

      {result.plan ? (
        <details className="plan-files">
          <summary>The files berth will write</summary>
          {result.plan.dockerfile ? (
            <>
              <h4>{result.plan.dockerfilePath}</h4>
              <pre className="file">{result.plan.dockerfile}</pre>
            </>
          ) : (
            <p className="muted">The repository’s own Dockerfile is used as it is.</p>
          )}
          <h4>compose.yml</h4>
          <pre className="file">{result.plan.compose}</pre>
        </details>
      ) : null}
    </div>
  );
}
