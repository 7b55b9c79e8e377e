import { useStatsHistory } from '../hooks/use-stats-history';
import { formatBytes, formatPercent } from '../lib/format';
import { LineChart } from './line-chart';
import { NotAvailable } from './notice';

/** CPU and memory of one instance over the last ten minutes. */
export function ResourceCharts({ instance, running }: { instance: string; running: boolean }) {
  const { samples, notAvailable } = useStatsHistory(instance, {
    keep: 120,
    intervalMs: running ? 5000 : 30_000,
  });
  return (
    <>
      {notAvailable ? <NotAvailable what="Resource history" /> : null}
      <div className="grid two">
        <LineChart
          title="CPU"
          points={samples.map((s) => ({ ts: s.ts, value: s.cpuPercent }))}
          format={formatPercent}
          max={100}
        />
        <LineChart
          title="Memory"
          points={samples.map((s) => ({ ts: s.ts, value: s.memoryBytes }))}
          format={formatBytes}
        />
      </div>
    </>
  );
}
