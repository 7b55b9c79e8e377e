import { useStatsHistory } from '../hooks/use-stats-history';
import { formatBytes, formatPercent } from '../lib/format';
import { Sparkline } from './sparkline';

/** CPU and memory of the last few minutes; a fixed-size box whether or not samples exist. */
export function ResourceSparklines({ instance, running }: { instance: string; running: boolean }) {
  const { samples, notAvailable } = useStatsHistory(instance, { enabled: running });
  const last = samples[samples.length - 1];
  return (
    <div className="sparklines">
      <div className="sparkline-row">
        <span className="muted">CPU</span>
        <Sparkline values={samples.map((s) => s.cpuPercent)} label={`CPU of ${instance}`} />
        <span className="metric">{running && last ? formatPercent(last.cpuPercent) : '—'}</span>
      </div>
      <div className="sparkline-row">
        <span className="muted">Mem</span>
        <Sparkline values={samples.map((s) => s.memoryBytes)} label={`Memory of ${instance}`} />
        <span className="metric">{running && last ? formatBytes(last.memoryBytes) : '—'}</span>
      </div>
      {notAvailable ? <span className="hint">resource stats not available yet</span> : null}
    </div>
  );
}
