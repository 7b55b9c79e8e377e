import {
  type CreateIntegrationBody,
  createIntegrationBodySchema,
  type UpdateIntegrationBody,
  updateIntegrationBodySchema,
} from '@berth/contracts';
import {
  type Clock,
  type Integration,
  type Logger,
  NotFound,
  type ScanResult,
  type Store,
} from '@berth/core';
import { type ClientFactory, timeoutMsOf } from './client-factory.js';
import type { TestResult } from './integration-client.js';
import { assertSecretsStay, mergeConfig, parseConfig, splitSecrets } from './integration-config.js';
import { integrationDefaults, parseInput } from './integration-input.js';
import { nextIntegrationName } from './integration-name.js';
import { type IntegrationView, integrationView } from './integration-view.js';
import type { ScanOutcome, ScanRunner } from './scan-runner.js';
import type { SecretKeyring } from './secret-keyring.js';
import { testConnection } from './test-connection.js';

export interface IntegrationServiceDeps {
  store: Store;
  secrets: SecretKeyring;
  clients: ClientFactory;
  runner: ScanRunner;
  clock: Clock;
  newId: () => string;
  log: Logger;
  /** Told after every change, to restart the integration's timer (ScanScheduler.refresh). */
  onChange?: (id: string) => void;
}

/**
 * What the API and CLI ask of integrations. Every answer is an IntegrationView (secrets masked);
 * secrets are sealed before they reach the store and opened only to talk to the integration.
 */
export class IntegrationService {
  constructor(private readonly d: IntegrationServiceDeps) {}

  list(): IntegrationView[] {
    return this.d.store.integrations.list().map((i) => this.view(i));
  }

  /** By id or by name. */
  get(idOrName: string): IntegrationView {
    return this.view(this.find(idOrName));
  }

  create(raw: CreateIntegrationBody): IntegrationView {
    const input = parseInput(createIntegrationBodySchema, raw);
    const { config, secrets } = splitSecrets(input.type, parseConfig(input.type, input.config));
    const now = this.d.clock.now();
    const created = this.d.store.transaction(() => {
      const integration: Integration = {
        id: this.d.newId(),
        name: input.name || nextIntegrationName(this.d.store, input.type),
        type: input.type,
        enabled: input.enabled ?? integrationDefaults.enabled,
        autoDetect: input.autoDetect ?? integrationDefaults.autoDetect,
        scanIntervalSeconds: input.scanIntervalSeconds ?? integrationDefaults.scanIntervalSeconds,
        config,
        secrets: this.d.secrets.seal(secrets),
        createdAt: now,
        updatedAt: now,
        lastScanAt: null,
        lastScanError: null,
        lastScanStatus: null,
      };
      this.d.store.integrations.insert(integration);
      return integration;
    });
    this.d.log.info(
      { integration: created.name, type: created.type },
      `Created ${created.type} integration '${created.name}'`,
    );
    this.d.onChange?.(created.id);
    return this.view(created);
  }

  update(idOrName: string, raw: UpdateIntegrationBody): IntegrationView {
    const input = parseInput(updateIntegrationBodySchema, raw);
    const current = this.find(idOrName);
    const full = parseConfig(
      current.type,
      mergeConfig(current.type, current.config, this.d.secrets.open(current.secrets), input.config ?? {}),
    );
    assertSecretsStay(current.type, current.config, full, input.config ?? {});
    const { config, secrets } = splitSecrets(current.type, full);
    const updated = this.d.store.integrations.update(current.id, {
      ...(input.name ? { name: input.name } : {}),
      ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
      ...(input.autoDetect === undefined ? {} : { autoDetect: input.autoDetect }),
      ...(input.scanIntervalSeconds === undefined ? {} : { scanIntervalSeconds: input.scanIntervalSeconds }),
      config,
      secrets: this.d.secrets.seal(secrets),
      updatedAt: this.d.clock.now(),
    });
    this.d.log.info(
      { integration: updated.name, type: updated.type },
      `Updated integration '${updated.name}'`,
    );
    this.d.onChange?.(updated.id);
    return this.view(updated);
  }

  /** Deletes the integration and its scan results; its ports are no longer counted as taken. */
  remove(idOrName: string): void {
    const i = this.find(idOrName);
    this.d.store.integrations.delete(i.id);
    this.d.log.info({ integration: i.name, type: i.type }, `Deleted integration '${i.name}'`);
    this.d.onChange?.(i.id);
  }

  /** Test connection of a stored integration. */
  test(idOrName: string): Promise<TestResult> {
    const i = this.find(idOrName);
    const config = { ...i.config, ...this.d.secrets.open(i.secrets) };
    return testConnection(this.d.clients({ ...i, config }), timeoutMsOf(config));
  }

  /**
   * Test connection of a config not saved yet (the add/edit modal). With `id`, masked secrets
   * stand for the stored ones — only toward the address they were entered for.
   */
  testDraft(raw: CreateIntegrationBody, id?: string): Promise<TestResult> {
    const input = parseInput(createIntegrationBodySchema, raw);
    const stored = id ? this.find(id) : undefined;
    const same = stored && stored.type === input.type ? stored : undefined;
    const merged = same
      ? mergeConfig(input.type, same.config, this.d.secrets.open(same.secrets), input.config ?? {})
      : (input.config ?? {});
    const config = parseConfig(input.type, merged);
    if (same) assertSecretsStay(input.type, same.config, config, input.config ?? {});
    return testConnection(
      this.d.clients({ type: input.type, name: input.name ?? '', config }),
      timeoutMsOf(config),
    );
  }

  scanNow(idOrName: string): Promise<ScanOutcome> {
    return this.d.runner.scan(this.find(idOrName).id);
  }

  /** The containers the latest successful scan found. */
  results(idOrName: string): ScanResult[] {
    return this.d.store.scans.listByIntegration(this.find(idOrName).id);
  }

  private find(idOrName: string): Integration {
    const i = this.d.store.integrations.find(idOrName) ?? this.d.store.integrations.findByName(idOrName);
    if (!i) throw new NotFound('integration', idOrName);
    return i;
  }

  private view(i: Integration): IntegrationView {
    return integrationView(i, this.d.store.scans.listByIntegration(i.id), this.d.runner.isScanning(i.id));
  }
}
