import { describe, expect, it } from 'vitest';
import { exportDeploySpec, templateExportSpec } from './export-spec.js';
import type { Instance } from './instance.js';
import { validateTemplate } from './template.js';

const template = validateTemplate({
  name: 'api',
  source: { kind: 'command', command: 'serve', args: ['--port', '${PORT}'], image: 'api:1' },
  ports: [{ name: 'http', env: 'PORT', range: [24460, 24469] }],
  config: {
    token: { env: 'TOKEN', secret: true, arg: '--token' },
    region: { default: 'eu' },
  },
  env: { URL: 'https://u:${TOKEN}@db' },
});

const instance = {
  id: 'i1',
  name: 'api-1',
  template: 'api',
  node: 'local',
  // A sealed value: an export must never need (or have) the key to open it.
  config: { token: 'sealed:v1:opaque', region: 'us' },
  dataDir: '/d',
} as unknown as Instance;

describe('exportDeploySpec', () => {
  it('puts ${NAME} where each secret value would go — env, derived env and args — and opens nothing', () => {
    const spec = exportDeploySpec(template, instance, { http: 24461 }, 'owner');
    expect(spec.env).toMatchObject({ TOKEN: '${TOKEN}', URL: 'https://u:${TOKEN}@db', PORT: '24461' });
    expect(spec.command).toEqual(['serve', '--port', '24461', '--token', '${TOKEN}']);
    expect(spec.secretEnv).toEqual(['CONFIG_TOKEN', 'TOKEN', 'URL']);
    expect(JSON.stringify(spec)).not.toContain('sealed:');
  });

  it('a template: a stand-in instance on the start of each port range, default config', () => {
    const spec = templateExportSpec(template, 'k8s', 'owner');
    expect(spec.ports[0]?.hostPort).toBe(24460);
    expect(spec.env.CONFIG_REGION).toBe('eu');
    expect(spec.env.TOKEN).toBe('${TOKEN}');
  });

  it('on a host with its own port range the stand-in is inside it, as the ledger would choose', () => {
    expect(templateExportSpec(template, 'k8s', 'o', [30000, 32767]).ports[0]?.hostPort).toBe(30000);
    expect(templateExportSpec(template, 'k8s', 'o', [24465, 32767]).ports[0]?.hostPort).toBe(24465);
    expect(templateExportSpec(template, 'k8s', 'o', [20000, 30000]).ports[0]?.hostPort).toBe(24460);
  });
});
