import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLegacySettings, SECRET_MASK } from '../src/index.js';
import { type Harness, harness } from './harness.js';

const settings = {
  docker_enabled: 'true',
  docker_host: 'unix:///var/run/docker.sock',
  docker_auto_detect: 'false',
  docker_scan_interval: '30',
  portainer_enabled: 'true',
  portainer_url: 'https://portainer.example.com',
  portainer_api_key: 'ptr_LEGACY_SECRET_1',
  portainer_verify_ssl: 'false',
  portainer_scan_interval: '600',
  komodo_enabled: 'false',
  komodo_url: 'not a url',
  komodo_api_key: 'LEGACY_KOMODO_KEY',
  komodo_api_secret: 'LEGACY_KOMODO_SECRET',
};

describe('importLegacySettings', () => {
  let h: Harness;
  const deps = () => ({
    store: h.store,
    integrations: h.service,
    backup: () => h.store.backup('legacy-import'),
  });

  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('turns the single-integration settings into default integrations, after a backup', async () => {
    const result = await importLegacySettings(deps(), settings);
    expect(result.backup && existsSync(result.backup)).toBeTruthy();
    expect(result.created.map((c) => c.name)).toEqual(['Default Docker', 'Default Portainer']);
    expect(result.skipped).toEqual([{ type: 'komodo', reason: expect.stringContaining('config.url') }]);
    expect(h.service.get('Default Docker')).toMatchObject({
      type: 'docker',
      enabled: true,
      autoDetect: false,
      scanIntervalSeconds: 60,
      config: { host: 'unix:///var/run/docker.sock', timeout: 30 },
    });
    expect(h.service.get('Default Portainer')).toMatchObject({
      enabled: true,
      autoDetect: true,
      scanIntervalSeconds: 600,
      config: {
        url: 'https://portainer.example.com',
        apiKey: SECRET_MASK,
        verifySsl: false,
        environments: 'all',
      },
    });
    expect(h.secrets.open(h.store.integrations.findByName('Default Portainer')!.secrets)).toEqual({
      apiKey: 'ptr_LEGACY_SECRET_1',
    });
    expect(h.lines.join('')).not.toContain('ptr_LEGACY_SECRET_1');
  });

  it('is idempotent: a second run changes nothing and takes no backup', async () => {
    const before = h.store.integrations.list();
    h.service.update('Default Docker', { name: 'renamed' });
    const again = await importLegacySettings(deps(), {
      ...settings,
      komodo_url: 'https://komodo.example.com',
    });
    expect(again.backup).toBeNull;
    expect(again.created.map((c) => c.name)).toEqual(['Default Komodo']);
    const third = await importLegacySettings(deps(), {
      ...settings,
      komodo_url: 'https://komodo.example.com',
    });
    expect(third).toEqual({ backup: null, created: [], skipped: [] });
    expect(h.store.integrations.list()).toHaveLength(before.length + 1);
  });

  it('leaves out types neither enabled nor configured', async () => {
    const result = await importLegacySettings(deps(), { docker_enabled: 'false' });
    expect(result).toEqual({ backup: null, created: [], skipped: [] });
  });
});
