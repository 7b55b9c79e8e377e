import type { ConnectionVerdict } from '../lib/connection-result';

/** The outcome of a connection test where the button is: green when reachable, the reason otherwise. */
export function ConnectionTestLine({
  verdict,
  busy,
}: {
  verdict: ConnectionVerdict | undefined;
  busy: boolean;
}) {
  return (
    <output className="test-line small" aria-live="polite">
      {busy ? <span className="muted">Testing the connection…</span> : null}
      {!busy && verdict ? (
        <span className={verdict.ok ? 'test-ok' : 'test-error'} data-reason={verdict.reason}>
          {verdict.ok ? '✓ ' : '✕ '}
          {verdict.text}
        </span>
      ) : null}
    </output>
  );
}
