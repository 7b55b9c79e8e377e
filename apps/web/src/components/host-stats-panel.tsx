import { useState } from 'react';
import { api } from '../api/api';
import type { HostStats } from '../api/types';
import { useResource } from '../hooks/use-resource';
import { formatBytes, formatPercent } from '../lib/format';
import { NotAvailable, Notice } from './notice';
import { Sparkline } from './sparkline';

/** This machine's CPU and memory, refreshed every 5 s, with a short trend. */
export function HostStatsPanel() {
  const [history, setHistory] = useState<HostStats[]>([]);
  const host = useResource(
    async () => {
      const h = await api.hostStats();
      if (h) setHistory((prev) => [...prev, h].slice(-60));
      return h;
    },
    '',
    5000,
  );
  const h = host.data;
  return (
    <section className="card" aria-labelledby="host-title">
      <h2 id="host-title">This host</h2>
      {host.notAvailable ? <NotAvailable what="Host CPU and memory" /> : null}
      {host.error ? <Notice tone="error">{host.error}</Notice> : null}
      <dl className="host-stats">
        <div>
          <dt>CPU</dt>
          <dd>
            <strong>{formatPercent(h?.cpuPercent)}</strong>
            <Sparkline values={history.map((s) => s.cpuPercent)} max={100} label="Host CPU" />
            <span className="muted small">{h?.cpuCount ? `${h.cpuCount} cores` : '\u00a0'}</span>
          </dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>
            <strong>{formatPercent(h?.memoryPercent)}</strong>
            <Sparkline values={history.map((s) => s.memoryPercent)} max={100} label="Host memory" />
            <span className="muted small">
              {h
                ? `${formatBytes(h.memoryBytes)}${h.memoryTotalBytes ? ` of ${formatBytes(h.memoryTotalBytes)}` : ''}`
                : '\u00a0'}
            </span>
          </dd>
        </div>
      </dl>
    </section>
  );
}
