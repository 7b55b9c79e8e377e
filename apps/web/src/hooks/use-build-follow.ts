import { useEffect, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { readEventStream } from '../api/event-stream';
import { type BuildLogLine, type BuildRecord, type BuildStatus, FINISHED_BUILD_STATUSES } from '../api/types';
import { MIN_POLL_MS } from './use-resource';

const KEEP = 1500;

export interface BuildFollow {
  /** The record as last read; status and step move with the streamed lines. */
  record: BuildRecord | undefined;
  lines: BuildLogLine[];
  /** `live` while streaming, `polling` when the server only answers snapshots. */
  mode: 'connecting' | 'live' | 'polling' | 'finished';
  error: string | undefined;
}

type BuildEvent = BuildLogLine & { status: BuildStatus };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      done();
    });
  });
}

/**
 * A build's status and log lines until it finishes: Server-Sent Events (`?follow=1&after=seq`)
 * when the server offers them, else `GET /builds/:id?after=seq` every 2 s. Each line once, in order.
 */
export function useBuildFollow(id: string | undefined): BuildFollow {
  const [record, setRecord] = useState<BuildRecord>();
  const [lines, setLines] = useState<BuildLogLine[]>([]);
  const [mode, setMode] = useState<BuildFollow['mode']>('connecting');
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!id) return;
    const ctrl = new AbortController();
    const { signal } = ctrl;
    let last = 0;
    setRecord(undefined);
    setLines([]);
    setMode('connecting');
    setError(undefined);

    const add = (more: BuildLogLine[]) => {
      const fresh = more.filter((l) => l.seq > last);
      if (fresh.length === 0) return;
      last = fresh[fresh.length - 1]?.seq ?? last;
      setLines((ls) => [...ls, ...fresh].slice(-KEEP));
    };
    const snapshot = async (): Promise<boolean> => {
      const r = await api.build(id, last);
      if (signal.aborted) return true;
      add(r.logs);
      setRecord(r);
      return FINISHED_BUILD_STATUSES.includes(r.status);
    };

    (async () => {
      try {
        if (await snapshot()) return;
        try {
          setMode('live');
          const outcome = await readEventStream(
            `/builds/${encodeURIComponent(id)}`,
            { follow: 1, after: last },
            (data) => {
              const e = data as BuildEvent;
              if (typeof e?.seq !== 'number') return;
              add([e]);
              setRecord((r) =>
                r
                  ? {
                      ...r,
                      status: e.status,
                      step: e.step || r.step,
                      totalSteps: e.totalSteps || r.totalSteps,
                    }
                  : r,
              );
            },
            signal,
          );
          if (outcome.kind === 'not-a-stream') setMode('polling');
        } catch {
          if (signal.aborted) return;
          // an older server refuses `follow` (400) or the stream broke: snapshots still work
          setMode('polling');
        }
        for (;;) {
          if (signal.aborted || (await snapshot())) break;
          setMode('polling');
          await sleep(MIN_POLL_MS, signal);
        }
      } catch (err) {
        if (!signal.aborted) setError(messageOf(err));
      } finally {
        if (!signal.aborted) setMode('finished');
      }
    })();
    return () => ctrl.abort();
  }, [id]);

  return { record, lines, mode, error };
}
