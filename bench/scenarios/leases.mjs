// Scenario 5: 10,000 port leases on one host through core's PortLedger over a real SqliteStore
// (in-process, the machine's live listeners as a port source — as the server wires it): all
// requested at once, then checked for duplicates; then one preflight with 10,000 leases in place.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { log, now, summary, tempDir } from '../lib/common.mjs';

// Data only (nothing binds): 10,000 leases need 10,000 ports, below the kernel's ephemeral range,
// where outgoing connections (which the ledger avoids) do not come and go during the run.
const RANGE = [15000, 24999];

export async function leases({ count, preflights, reps }) {
  const { PortLedger, defaultLedgerConfig, silentLogger, systemClock, templateSchema } = await import(
    '@berth/core'
  );
  const { SqliteStore } = await import('@berth/store-sqlite');
  const { LocalListenerSource } = await import('@berth/host');
  const template = templateSchema.parse({
    name: 'leasy',
    source: { kind: 'command', command: 'true' },
    ports: [{ name: 'http', env: 'PORT', preferred: RANGE[0], range: RANGE }],
  });
  const leaseMs = [];
  const preflightMs = [];
  let duplicates = 0;
  let outside = 0;
  for (let r = 0; r < reps; r++) {
    const dir = await tempDir('s5');
    const store = await SqliteStore.open(join(dir, 'berth.db'), { clock: systemClock });
    try {
      const ledger = new PortLedger(
        store,
        [new LocalListenerSource()],
        defaultLedgerConfig,
        systemClock,
        silentLogger,
      );
      const owners = Array.from({ length: count }, (_, i) => ({
        id: randomUUID(),
        name: `leasy-${i}`,
        portOverrides: {},
      }));
      const t = now();
      const results = await Promise.all(owners.map((o) => ledger.allocate(o, template, 'local')));
      leaseMs.push(now() - t);
      const ports = results.map((x) => x.ports.http);
      duplicates += ports.length - new Set(ports).size;
      const stored = store.leases.listByHost('local');
      duplicates += stored.length - new Set(stored.map((l) => `${l.protocol}/${l.port}`)).size;
      if (stored.length !== count) throw new Error(`${stored.length} leases stored, expected ${count}`);
      outside += ports.filter((p) => p < RANGE[0] || p > RANGE[1]).length;
      // One preflight at a time, with every lease in place.
      for (let i = 0; i < preflights; i++) {
        const o = owners[(i * 7919) % owners.length];
        const t1 = now();
        const pf = await ledger.preflight(o, template, 'local', false);
        preflightMs.push(now() - t1);
        if (!pf.canStart) throw new Error(`preflight of ${o.name} says it cannot start`);
      }
    } finally {
      store.close();
    }
  }
  const l = summary(leaseMs);
  const p = summary(preflightMs);
  log(
    `${count} leases: ${l.median} ms, ${duplicates} duplicates; preflight median ${p.median} ms, p99 ${p.p99} ms`,
  );
  return [
    {
      scenario: `${count} leases on one host`,
      metric: `${count} allocations requested at once → all leased`,
      unit: 'ms',
      berth: l,
      measured: `${l.max} ms (worst), ${duplicates} duplicates`,
      target: '≤ 2 s, zero duplicates',
      pass: l.max <= 2000 && duplicates === 0,
      notes: [
        `PortLedger.allocate × ${count} in parallel (each its own SQLite transaction; concurrent callers share one read of /proc/net), ${reps} run(s), a fresh database each; ${outside} leases fell outside the template's range ${RANGE.join('–')} (listeners there)`,
      ],
    },
    {
      scenario: `${count} leases on one host`,
      metric: `one preflight with ${count} leases in place`,
      unit: 'ms',
      berth: p,
      measured: `median ${p.median} ms, p99 ${p.p99} ms`,
      target: '≤ 15 ms',
      pass: p.median <= 15,
      notes: [
        `PortLedger.preflight, ${preflightMs.length} sequential calls; each reads the live listeners from /proc/net afresh`,
      ],
    },
  ];
}
