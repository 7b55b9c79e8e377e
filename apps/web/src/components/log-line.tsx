import { memo } from 'react';
import type { LogLineView } from '../api/types';
import { parseAnsi } from '../lib/ansi';
import { formatTime } from '../lib/format';

/**
 * One log line: time (`~` before it when berth only estimates it — written while berth was down),
 * the replica that wrote it (Swarm, Kubernetes), and the text with its ANSI colours as styled spans.
 */
export const LogLine = memo(function LogLine({ line }: { line: LogLineView }) {
  return (
    <div className={`log-line stream-${line.stream}`}>
      <time
        className="log-time"
        dateTime={new Date(line.ts).toISOString()}
        title={
          line.approximate
            ? 'written while berth was down: the time is an estimate'
            : `written at ${formatTime(line.ts)}.${String(line.ts % 1000).padStart(3, '0')}`
        }
      >
        {line.approximate ? '~' : ''}
        {formatTime(line.ts)}
      </time>
      {line.replica ? (
        <span className="log-replica" title={`written by replica ${line.replica}`}>
          [{line.replica}]
        </span>
      ) : null}
      <span className="log-text">
        {parseAnsi(line.line).map((seg, i) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: segments of one immutable line
            key={i}
            style={{
              color: seg.fg,
              backgroundColor: seg.bg,
              fontWeight: seg.bold ? 600 : undefined,
              opacity: seg.dim ? 0.7 : undefined,
              fontStyle: seg.italic ? 'italic' : undefined,
              textDecoration: seg.underline ? 'underline' : undefined,
            }}
          >
            {seg.text}
          </span>
        ))}
      </span>
    </div>
  );
});
