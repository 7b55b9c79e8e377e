import { useDeferredValue, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { useLogFollow } from '../hooks/use-log-follow';
import { stripAnsi } from '../lib/ansi';
import { downloadText, logText } from '../lib/log-download';
import { LogLine } from './log-line';
import { NotAvailable, Notice } from './notice';

const MODE_WORDS = {
  connecting: 'connecting…',
  live: 'live',
  polling: 'refreshing every 2 s',
  unavailable: 'not available',
  error: 'reconnecting…',
} as const;

/** Every line is one row this tall (CSS .log-line), so only the rows in sight are rendered. */
export const LOG_ROW_PX = 20;
/** Rows rendered above and below the visible ones, so a quick scroll shows no gap. */
const OVERSCAN = 30;
/** Wrapped lines have no fixed height, so they are all in the page: the last this many. */
const WRAP_MAX = 2_000;
/** The most lines the API gives in one read: the whole file for all but the longest logs. */
const FILE_MAX = 100_000;

/**
 * Live logs: follow (stick to the bottom), search, stream filter, pause. Follow stays on until the
 * person scrolls up (the view growing under a burst does not turn it off) and comes back when they
 * scroll to the bottom; only the rows in sight are in the page, so 20,000 lines scroll smoothly.
 * Wrap shows long lines whole (the last WRAP_MAX lines, all in the page); Download saves the log
 * file (the last FILE_MAX lines) or just the lines the search and stream filter show.
 */
export function LogViewer({ instance }: { instance: string }) {
  const logs = useLogFollow(instance);
  const [query, setQuery] = useState('');
  const [stream, setStream] = useState<'all' | 'stdout' | 'stderr'>('all');
  const [follow, setFollow] = useState(true);
  const [wrap, setWrap] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const deferred = useDeferredValue(query);
  const box = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);
  const [view, setView] = useState({ top: 0, height: 360 });
  const ids = useId();

  const shown = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    return logs.lines.filter(
      (l) =>
        (stream === 'all' || l.stream === stream) &&
        (!needle || stripAnsi(l.line).toLowerCase().includes(needle)),
    );
  }, [logs.lines, deferred, stream]);

  // before paint, so a followed view never shows a frame away from the bottom
  useLayoutEffect(() => {
    const el = box.current;
    if (!follow || !el || shown.length < 0) return;
    el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
    setView({ top: el.scrollTop, height: el.clientHeight });
  }, [follow, shown]);

  const first = Math.max(0, Math.floor(view.top / LOG_ROW_PX) - OVERSCAN);
  const end = Math.min(shown.length, Math.ceil((view.top + view.height) / LOG_ROW_PX) + OVERSCAN);
  const filtered = stream !== 'all' || deferred.trim() !== '';

  const downloadFile = async () => {
    setSaving(true);
    setSaveError(undefined);
    try {
      downloadText(`${instance}.log`, logText(await api.logs(instance, { tail: FILE_MAX })));
    } catch (err) {
      setSaveError(`Could not download the log: ${messageOf(err)}`);
    } finally {
      setSaving(false);
    }
  };

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
        <label className="toggle">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} /> Wrap lines
        </label>
        <button
          type="button"
          className="button quiet"
          disabled={saving}
          title={`The log file, up to its last ${FILE_MAX.toLocaleString('en')} lines`}
          onClick={() => void downloadFile()}
        >
          {saving ? 'Downloading…' : 'Download log'}
        </button>
        {filtered ? (
          <button
            type="button"
            className="button quiet"
            disabled={shown.length === 0}
            onClick={() => downloadText(`${instance}-filtered.log`, logText(shown))}
          >
            {shown.length === 1 ? 'Download this line' : `Download these ${shown.length} lines`}
          </button>
        ) : null}
        <span className={`feed-state feed-${logs.mode}`} aria-live="polite">
          {logs.paused ? 'paused' : MODE_WORDS[logs.mode]}
        </span>
      </div>
      {logs.error ? <Notice tone="error">{logs.error}</Notice> : null}
      {saveError ? <Notice tone="error">{saveError}</Notice> : null}
      <div
        ref={box}
        className="log-box"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        tabIndex={0}
        role="log"
        aria-label="Log lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < LOG_ROW_PX;
          // only a move up is the person's: new lines make the view taller, never scroll it up
          const movedUp = el.scrollTop < lastTop.current - 1;
          lastTop.current = el.scrollTop;
          if (atBottom && !follow) setFollow(true);
          else if (movedUp && !atBottom && follow) setFollow(false);
          setView({ top: el.scrollTop, height: el.clientHeight });
        }}
      >
        {shown.length === 0 ? (
          <p className="muted log-empty">
            {logs.lines.length === 0 ? 'No log lines yet.' : 'No line matches the search.'}
          </p>
        ) : wrap ? (
          <div className="log-rows wrapped" data-lines={shown.length}>
            {shown.length > WRAP_MAX ? (
              <p className="log-empty">
                Wrapped: the last {WRAP_MAX.toLocaleString('en')} of {shown.length.toLocaleString('en')}{' '}
                lines.
              </p>
            ) : null}
            {shown.slice(-WRAP_MAX).map((l) => (
              <LogLine key={l.seq} line={l} />
            ))}
          </div>
        ) : (
          <div className="log-rows" style={{ height: shown.length * LOG_ROW_PX }} data-lines={shown.length}>
            <div style={{ transform: `translateY(${first * LOG_ROW_PX}px)` }}>
              {shown.slice(first, end).map((l) => (
                <LogLine key={l.seq} line={l} />
              ))}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}
