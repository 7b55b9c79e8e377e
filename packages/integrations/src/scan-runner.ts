import type { ScanOutcome } from '@berth/contracts';
import {
  type Clock,
  type Integration,
  type Logger,
  NotFound,
  type ScanResult,
  type Store,
} from '@berth/core';
import type { ClientFactory } from './client-factory.js';
import { timeoutMsOf } from './client-factory.js';
import { failureMessage, failureReason } from './connection-failure.js';
import { deadline, raceSignal } from './deadline.js';
import type { SecretKeyring } from './secret-keyring.js';

export type { ScanOutcome };

export interface ScanRunnerDeps {
  store: Store;
  secrets: SecretKeyring;
  clients: ClientFactory;
  clock: Clock;
  log: Logger;
}

/**
 * Runs one scan of one integration within the integration's own timeout and records it: the
 * containers replace the previous scan's, or the error is kept in lastScanError while the previous
 * scan's containers stay (they are still the best knowledge of that host). Scans of one
 * integration never overlap: asking while one runs joins it.
 */
export class ScanRunner {
  private readonly running = new Map<string, Promise<ScanOutcome>>();
  private readonly closing = new AbortController();

  constructor(private readonly d: ScanRunnerDeps) {}

  scan(id: string): Promise<ScanOutcome> {
    const current = this.running.get(id);
    if (current) return current;
    const integration = this.d.store.integrations.find(id);
    if (!integration) return Promise.reject(new NotFound('integration', id));
    const run = this.run(integration).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  isScanning(id: string): boolean {
    return this.running.has(id);
  }

  /** Gives up every scan under way (nothing is recorded for them) and waits for them to end. */
  async close(): Promise<void> {
    this.closing.abort(new Error('berth is shutting down'));
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(i: Integration): Promise<ScanOutcome> {
    const log = this.d.log.child({ integration: i.name, type: i.type });
    const signal = deadline(timeoutMsOf(i.config), this.closing.signal);
    log.debug({}, `Starting scan of ${i.type} integration '${i.name}'…`);
    try {
      const client = this.d.clients({ ...i, config: { ...i.config, ...this.d.secrets.open(i.secrets) } });
      const found = await raceSignal(client.scan(signal), signal);
      const at = this.d.clock.now();
      const rows: ScanResult[] = found.map((c) => ({
        integrationId: i.id,
        host: c.host,
        containerName: c.name,
        containerId: c.id,
        image: c.image,
        state: c.state,
        ports: c.ports,
        lastSeen: at,
      }));
      this.record(i.id, () => {
        this.d.store.scans.replace(i.id, rows);
        this.d.store.integrations.update(i.id, { lastScanAt: at, lastScanStatus: 'ok', lastScanError: null });
      });
      const ports = rows.reduce((n, r) => n + r.ports.length, 0);
      log.debug(
        { containers: rows.length, ports },
        `Scanned '${i.name}': ${rows.length} containers, ${ports} ports`,
      );
      return { ok: true, containers: rows.length, ports, at };
    } catch (err) {
      return this.failed(i, err, log);
    }
  }

  private failed(i: Integration, err: unknown, log: Logger): ScanOutcome {
    const at = this.d.clock.now();
    const reason = failureReason(err);
    const message = failureMessage(err);
    if (!this.closing.signal.aborted) {
      this.record(i.id, () =>
        this.d.store.integrations.update(i.id, {
          lastScanAt: at,
          lastScanStatus: 'error',
          lastScanError: message,
        }),
      );
      log.warn({ reason, err: message }, `Failed to scan '${i.name}': ${message}`);
    }
    return { ok: false, reason, message, at };
  }

  /** Writes unless the integration was deleted while it was being scanned. */
  private record(id: string, write: () => void): void {
    this.d.store.transaction(() => {
      if (this.d.store.integrations.find(id)) write();
    });
  }
}
