import type { LegacyImportResult } from '@berth/contracts';
import { type IntegrationType, MIN_SCAN_INTERVAL_SECONDS, type Store, userMessage } from '@berth/core';
import { parseConfig } from './integration-config.js';
import type { IntegrationService } from './integration-service.js';

export type { LegacyImportResult };

export interface LegacyImportDeps {
  store: Store;
  integrations: IntegrationService;
  /** Copies the database; called once, before the first write (SqliteStore.backup). */
  backup: () => Promise<string | null>;
}

interface Plan {
  type: IntegrationType;
  name: string;
  enabled: boolean;
  autoDetect: boolean;
  scanIntervalSeconds: number;
  config: Record<string, unknown>;
}

const MARKER = (type: IntegrationType) => `integrations.legacyImport.${type}`;

/**
 * Turns the earlier system's one-integration-per-type settings (`docker_enabled`, `docker_host`,
 * `docker_auto_detect`, `docker_scan_interval`, `portainer_url`, `portainer_api_key`,
 * `portainer_verify_ssl`, `komodo_url`, `komodo_api_key`, `komodo_api_secret`, and each type's
 * `_enabled`, `_auto_detect`, `_scan_interval`) into "Default Docker", "Default Portainer" and
 * "Default Komodo". A type is imported when it was enabled or its address is set. Each imported
 * type leaves a marker setting, so running the import again changes nothing — even after the
 * integration was renamed or deleted.
 */
export async function importLegacySettings(
  d: LegacyImportDeps,
  settings: Record<string, string>,
): Promise<LegacyImportResult> {
  const result: LegacyImportResult = { backup: null, created: [], skipped: [] };
  const pending = legacyPlans(settings).filter((p) => d.store.settings.get(MARKER(p.type)) === undefined);
  const valid = pending.filter((p) => {
    const problem = planProblem(d.store, p);
    if (problem) result.skipped.push({ type: p.type, reason: problem });
    return !problem;
  });
  if (valid.length === 0) return result;
  result.backup = await d.backup();
  for (const plan of valid) {
    const created = d.store.transaction(() => {
      const view = d.integrations.create(plan);
      d.store.settings.set(MARKER(plan.type), view.id);
      return view;
    });
    result.created.push({ type: plan.type, id: created.id, name: created.name });
  }
  return result;
}

/** Why a plan cannot be imported (checked before the backup, so a bad one never costs a copy). */
function planProblem(store: Store, plan: Plan): string | null {
  if (store.integrations.findByName(plan.name)) return `an integration named '${plan.name}' exists already`;
  try {
    parseConfig(plan.type, plan.config);
    return null;
  } catch (err) {
    return userMessage(err);
  }
}

/** What the settings ask for, per type; types with neither an enabled flag nor an address are left out. */
export function legacyPlans(s: Record<string, string>): Plan[] {
  const plans: Plan[] = [];
  const docker = common(s, 'docker', 'Default Docker', s.docker_host);
  if (docker) plans.push({ ...docker, config: { host: s.docker_host || 'unix:///var/run/docker.sock' } });
  const portainer = common(s, 'portainer', 'Default Portainer', s.portainer_url);
  if (portainer) {
    plans.push({
      ...portainer,
      config: {
        url: s.portainer_url ?? '',
        apiKey: s.portainer_api_key ?? '',
        verifySsl: s.portainer_verify_ssl === undefined ? true : truthy(s.portainer_verify_ssl),
      },
    });
  }
  const komodo = common(s, 'komodo', 'Default Komodo', s.komodo_url);
  if (komodo) {
    plans.push({
      ...komodo,
      config: {
        url: s.komodo_url ?? '',
        apiKey: s.komodo_api_key ?? '',
        apiSecret: s.komodo_api_secret ?? '',
      },
    });
  }
  return plans;
}

function common(
  s: Record<string, string>,
  type: IntegrationType,
  name: string,
  address: string | undefined,
): Omit<Plan, 'config'> | undefined {
  const enabled = truthy(s[`${type}_enabled`]);
  if (!enabled && !address) return undefined;
  const interval = Number.parseInt(s[`${type}_scan_interval`] ?? '', 10);
  return {
    type,
    name,
    enabled,
    autoDetect: truthy(s[`${type}_auto_detect`] ?? 'true'),
    scanIntervalSeconds: Number.isFinite(interval) ? Math.max(MIN_SCAN_INTERVAL_SECONDS, interval) : 300,
  };
}

function truthy(v: string | undefined): boolean {
  return ['true', '1', 'yes', 'on'].includes((v ?? '').trim().toLowerCase());
}
