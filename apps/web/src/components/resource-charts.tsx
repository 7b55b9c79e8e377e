import { useState } from 'react';
import { useNow } from '../hooks/use-now';
import { useStatsHistory } from '../hooks/use-stats-history';
import { formatBytes, formatPercent } from '../lib/format';
import { LineChart } from './line-chart';
import { NotAvailable } from './notice';
import { ReplicaShares } from './replica-shares';

const RANGES = [
  { label: '15 min', ms: 15 * 60_000 },
  { label: '1 h', ms: 60 * 60_000 },
  { label: '6 h', ms: 6 * 60 * 60_000 },
] as const;

/**
 * CPU, memory and disk of one instance over the chosen stretch of time (15 min, 1 h, 6 h), and each
 * replica's share now where its runtime reads replicas apart. The current values are "—" unless it
 * runs: a stopped instance's last sample is not what it uses now.
 */
export function ResourceCharts({ instance, running }: { instance: string; running: boolean }) {
  const [range, setRange] = useState<number>(RANGES[0].ms);
  const { samples, notAvailable, shares } = useStatsHistory(instance, {
    rangeMs: range,
    intervalMs: running ? 5000 : 30_000,
  });
  const to = useNow(true, running ? 5000 : 30_000);
  const from = to - range;
  const last = running ? samples[samples.length - 1] : undefined;
  const disk = samples.filter((s) => s.diskBytes !== null);
  return (
    <>
      {notAvailable ? <NotAvailable what="Resource history" /> : null}
      <fieldset className="range-choice">
        <legend className="sr-only">Time range</legend>
        {RANGES.map((r) => (
          <label key={r.ms} className={range === r.ms ? 'chosen' : undefined}>
            <input
              type="radio"
              name={`range-${instance}`}
              checked={range === r.ms}
              onChange={() => setRange(r.ms)}
            />
            {r.label}
          </label>
        ))}
      </fieldset>
      <div className="grid three">
        <LineChart
          title="CPU"
          points={samples.map((s) => ({ ts: s.ts, value: s.cpuPercent }))}
          format={formatPercent}
          from={from}
          to={to}
          current={last?.cpuPercent}
        />
        <LineChart
          title="Memory"
          points={samples.map((s) => ({ ts: s.ts, value: s.memoryBytes }))}
          format={formatBytes}
          bytes
          from={from}
          to={to}
          current={last?.memoryBytes}
        />
        <LineChart
          title="Disk"
          points={disk.map((s) => ({ ts: s.ts, value: s.diskBytes ?? 0 }))}
          format={formatBytes}
          bytes
          from={from}
          to={to}
          current={last?.diskBytes ?? undefined}
        />
      </div>
      {running ? <ReplicaShares shares={shares} /> : null}
    </>
  );
}
