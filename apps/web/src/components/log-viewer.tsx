import { useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useLogFollow } from '../hooks/use-log-follow';
import { stripAnsi } from '../lib/ansi';
import { LogLine } from './log-line';
import { NotAvailable, Notice } from './notice';

const MODE_WORDS = {
  connecting: 'connecting…',
  live: 'live',
  polling: 'refreshing every 2 s',
  unavailable: 'not available',
  error: 'reconnecting…',
} as const;

/** Live logs: follow (stick to the bottom), search, stream filter, pause. */
export function LogViewer({ instance }: { instance: string }) {
  const logs = useLogFollow(instance);
  const [query, setQuery] = useState('');
  const [stream, setStream] = useState<'all' | 'stdout' | 'stderr'>('all');
  const [follow, setFollow] = useState(true);
  const deferred = useDeferredValue(query);
  const box = useRef<HTMLDivElement>(null);
  const ids = useId();

  const shown = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    return logs.lines.filter(
      (l) =>
        (stream === 'all' || l.stream === stream) &&
        (!needle || stripAnsi(l.line).toLowerCase().includes(needle)),
    );
  }, [logs.lines, deferred, stream]);

  useEffect(() => {
    if (follow && shown.length >= 0 && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [follow, shown]);

  if (logs.mode === 'unavailable') return <NotAvailable what="Logs" />;

  return (
    <section className="logs" aria-label={`Logs of ${instance}`}>
      <div className="log-tools">
        <label className="sr-only" htmlFor={`${ids}-q`}>
          Search logs
        </label>
        <input
          id={`${ids}-q`}
          type="search"
          placeholder="Search logs"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <label className="sr-only" htmlFor={`${ids}-s`}>
          Stream
        </label>
        <select id={`${ids}-s`} value={stream} onChange={(e) => setStream(e.target.value as typeof stream)}>
          <option value="all">all streams</option>
          <option value="stdout">stdout</option>
          <option value="stderr">stderr</option>
        </select>
        <label className="toggle">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <button
          type="button"
          className="button"
          aria-pressed={logs.paused}
          onClick={() => logs.setPaused(!logs.paused)}
        >
          {logs.paused ? `Resume${logs.held ? ` (${logs.held} new)` : ''}` : 'Pause'}
        </button>
        <button type="button" className="button quiet" onClick={logs.clear}>
          Clear
        </button>
        <span className={`feed-state feed-${logs.mode}`} aria-live="polite">
          {logs.paused ? 'paused' : MODE_WORDS[logs.mode]}
        </span>
      </div>
      {logs.error ? <Notice tone="error">{logs.error}</Notice> : null}
      <div
        ref={box}
        className="log-box"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        tabIndex={0}
        role="log"
        aria-label="Log lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          if (follow !== atBottom) setFollow(atBottom);
        }}
      >
        {shown.length === 0 ? (
          <p className="muted log-empty">
            {logs.lines.length === 0 ? 'No log lines yet.' : 'No line matches the search.'}
          </p>
        ) : (
          shown.map((l) => <LogLine key={l.seq} line={l} />)
        )}
      </div>
    </section>
  );
}
