import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLedgerConfig, type Logger, PortLedger, systemClock } from '@berth/core';
import { SqliteStore } from '@berth/store-sqlite';
import pino from 'pino';
import {
  clientFactory,
  defaultLocalNames,
  IntegrationService,
  ScanPortSource,
  ScanRunner,
  ScanScheduler,
  SecretKeyring,
} from '../src/index.js';

/** Everything an integration test needs, on a real SQLite file, with every log line captured. */
export async function harness() {
  const home = mkdtempSync(join(tmpdir(), 'berth-integrations-'));
  const store = await SqliteStore.open(join(home, 'berth.db'));
  const lines: string[] = [];
  const log = pino(
    { level: 'trace' },
    { write: (line: string) => void lines.push(line) },
  ) as unknown as Logger;
  const secrets = SecretKeyring.load(home, log);
  const clients = clientFactory(defaultLocalNames());
  const runner = new ScanRunner({ store, secrets, clients, clock: systemClock, log });
  const scheduler = new ScanScheduler({ store, runner, clock: systemClock, log });
  let n = 0;
  const service = new IntegrationService({
    store,
    secrets,
    clients,
    runner,
    clock: systemClock,
    newId: () => `int-${++n}`,
    log,
    onChange: (id) => scheduler.refresh(id),
  });
  const ledger = new PortLedger(store, [new ScanPortSource(store)], defaultLedgerConfig, systemClock, log);
  return {
    home,
    store,
    lines,
    log,
    secrets,
    runner,
    scheduler,
    service,
    ledger,
    async close() {
      await scheduler.stop();
      await runner.close();
      store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export type Harness = Awaited<ReturnType<typeof harness>>;

/** Polls until `check` is truthy or `ms` pass (generous: real servers answer late on a loaded machine). */
export async function eventually<T>(check: () => T, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
