import { useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { type BuildStatus, FINISHED_BUILD_STATUSES } from '../api/types';
import { useBuildFollow } from '../hooks/use-build-follow';
import { formatTime } from '../lib/format';
import { Notice } from './notice';

const PHASES: { status: BuildStatus; label: string }[] = [
  { status: 'importing', label: 'Import' },
  { status: 'detecting', label: 'Detect' },
  { status: 'building', label: 'Build image' },
  { status: 'deploying', label: 'Deploy' },
  { status: 'done', label: 'Running' },
];

const ORDER: BuildStatus[] = ['queued', 'importing', 'detecting', 'building', 'deploying', 'done'];

const ERROR_WORDS: Record<string, string> = {
  BUILD_FAILED: 'The image did not build',
  BUILD_TIMEOUT: 'The build took too long and was stopped',
  CANCELLED: 'The build was cancelled',
  INTERRUPTED: 'berth stopped while this build ran',
};

/**
 * A build as it happens: the phases, the image's step, its output, Cancel, and where it ended up;
 * `onStatus` hears each status it reaches.
 */
export function BuildProgress({
  buildId,
  onStatus,
}: {
  buildId: string;
  onStatus?: (status: BuildStatus) => void;
}) {
  const { record, lines, mode, error } = useBuildFollow(buildId);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string>();
  const box = useRef<HTMLDivElement>(null);
  const [stick, setStick] = useState(true);

  useEffect(() => {
    if (stick && lines.length >= 0 && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, stick]);

  const status = record?.status ?? 'queued';
  useEffect(() => onStatus?.(status), [onStatus, status]);
  const finished = FINISHED_BUILD_STATUSES.includes(status);
  // a failed or cancelled build stopped at the phase its last line was written in
  const stoppedAt = finished && status !== 'done' ? lastPhase(lines) : undefined;

  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      await api.cancelBuild(buildId);
    } catch (err) {
      setCancelError(messageOf(err));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className="build" data-build-status={status}>
      <ol className="phases" aria-label="Build phases">
        {PHASES.map((p) => {
          const state = phaseState(p.status, status, stoppedAt);
          return (
            <li
              key={p.status}
              className={`phase phase-${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              {p.label}
            </li>
          );
        })}
      </ol>

      <div className="build-status">
        <p>
          <span className={`badge build-${status}`} data-status={status}>
            {status}
          </span>{' '}
          {record && record.totalSteps > 0 ? (
            <span className="muted">
              image step {record.step} of {record.totalSteps}
            </span>
          ) : null}
          <span className="feed-state">
            {mode === 'live' ? 'live' : mode === 'polling' ? 'refreshing every 2 s' : ''}
          </span>
        </p>
        {record && record.totalSteps > 0 ? (
          <progress
            max={record.totalSteps}
            value={Math.min(record.step, record.totalSteps)}
            aria-label="Image build steps"
          >
            {record.step}/{record.totalSteps}
          </progress>
        ) : null}
      </div>

      {error ? <Notice tone="error">{error}</Notice> : null}
      {record?.error ? (
        <p className="notice notice-error" role="alert">
          {ERROR_WORDS[record.error.code] ?? 'The deploy failed'}: {record.error.message}
        </p>
      ) : null}
      {status === 'cancelled' && !record?.error ? (
        <p className="notice" role="status">
          The build was cancelled; nothing was deployed.
        </p>
      ) : null}
      {status === 'done' && record?.instanceId ? (
        <p className="notice notice-ok" role="status">
          {record.name} is deployed.{' '}
          <a href={`#/instances/${encodeURIComponent(record.instanceId)}`}>Open the instance {record.name}</a>
        </p>
      ) : null}

      <div className="log-tools">
        <label className="toggle">
          <input type="checkbox" checked={stick} onChange={(e) => setStick(e.target.checked)} />
          Follow the output
        </label>
        <span className="feed-state">{lines.length} lines</span>
        {!finished ? (
          <button type="button" className="button danger" disabled={cancelling || !record} onClick={cancel}>
            {cancelling ? 'Cancelling…' : 'Cancel build'}
          </button>
        ) : null}
      </div>
      {cancelError ? <Notice tone="error">{cancelError}</Notice> : null}
      <div
        className="log-box build-log"
        ref={box}
        role="log"
        aria-label="Build output"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        tabIndex={0}
      >
        {lines.length === 0 ? <p className="log-empty">Waiting for the first line…</p> : null}
        {lines.map((l) => (
          <div key={l.seq} className={`log-line stream-${l.stream}`}>
            <time className="log-time">{formatTime(l.ts)}</time>
            <span className="log-text">{l.message}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

function phaseState(
  phase: BuildStatus,
  status: BuildStatus,
  stoppedAt: BuildStatus | undefined,
): 'done' | 'current' | 'failed' | 'todo' {
  if (status === 'done') return 'done';
  const at = ORDER.indexOf(phase);
  if (status === 'failed' || status === 'cancelled') {
    const stop = stoppedAt ? ORDER.indexOf(stoppedAt) : -1;
    return at < stop ? 'done' : at === stop ? 'failed' : 'todo';
  }
  const reached = ORDER.indexOf(status);
  return at < reached ? 'done' : at === reached ? 'current' : 'todo';
}

/** The phase a stopped build was in: berth writes `importing…`, `detecting…`, `building…`, `deploying…` as it enters each. */
function lastPhase(lines: { message: string; stream: string }[]): BuildStatus | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (l?.stream !== 'system') continue;
    const m = /^(importing|detecting|building|deploying)…/.exec(l.message);
    if (m) return m[1] as BuildStatus;
  }
  return undefined;
}
