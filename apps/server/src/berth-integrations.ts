import { randomUUID } from 'node:crypto';
import type { Clock, InstanceService, Logger, PortLedger, Workspace } from '@berth/core';
import {
  clientFactory,
  defaultLocalNames,
  IntegrationService,
  importLegacySettings,
  importServiceRegistry,
  ScanPortSource,
  ScanRunner,
  ScanScheduler,
  type SecretKeyring,
} from '@berth/integrations';
import type { SqliteStore } from '@berth/store-sqlite';

export interface IntegrationsDeps {
  home: string;
  store: SqliteStore;
  ledger: PortLedger;
  workspace: Workspace;
  clock: Clock;
  log: Logger;
  /** The keyring of `<home>/secret.key`, shared with instances' secret config values. */
  secrets: SecretKeyring;
  /** Imports create instances the way every create does, and take over what still runs. */
  instances: Pick<InstanceService, 'create' | 'remove' | 'findNamed' | 'takeOver'>;
  /** Re-seals, within a key rotation, what other parts sealed with `secrets`. */
  resealOthers?: (reseal: (sealed: string) => string | null) => void;
}

/**
 * Integrations in the composition root: secrets keyed by `<home>/secret.key`, the scans counted by
 * the ledger, and one scan timer per enabled integration, started now and stopped by `close`.
 */
export function startIntegrations(d: IntegrationsDeps) {
  const log = d.log.child({ ns: 'integrations' });
  const secrets = d.secrets;
  const clients = clientFactory(defaultLocalNames());
  const runner = new ScanRunner({ store: d.store, secrets, clients, clock: d.clock, log });
  const scheduler = new ScanScheduler({ store: d.store, runner, clock: d.clock, log });
  const service = new IntegrationService({
    store: d.store,
    secrets,
    clients,
    runner,
    clock: d.clock,
    newId: randomUUID,
    log,
    onChange: (id) => scheduler.refresh(id),
  });
  d.ledger.addSource(new ScanPortSource(d.store));
  scheduler.start();
  return {
    service,
    secrets,
    scheduler,
    /** Re-seals every integration's secrets and instance's secret config values with a new key. */
    rotateKey: () => secrets.rotateKey(d.store, d.resealOthers),
    /** The earlier system's settings → default integrations, after a copy of the database. */
    importLegacySettings: (settings: Record<string, string>) =>
      importLegacySettings(
        { store: d.store, integrations: service, backup: () => d.store.backup('legacy-import', d.clock) },
        settings,
      ),
    /** A legacy service_registry.json → instances holding their old ports, running containers taken over. */
    importServiceRegistry: (json: unknown) =>
      importServiceRegistry(
        {
          create: (input) => d.instances.create(input),
          remove: (name) => d.instances.remove(name),
          findNamed: (node, name) => d.instances.findNamed(node, name),
          takeOver: (inst, found, ports) => d.instances.takeOver(inst.id, found, ports),
          findInstance: (name) => d.store.instances.findByName(name),
          templates: () => d.store.templates.list().map((t) => t.template),
        },
        json,
      ),
    async close(): Promise<void> {
      await scheduler.stop();
      await runner.close();
    },
  };
}

export type Integrations = ReturnType<typeof startIntegrations>;
