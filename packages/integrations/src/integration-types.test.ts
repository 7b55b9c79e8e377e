import { describe, expect, it } from 'vitest';
import { describeIntegrationTypes } from './integration-types.js';

describe('describeIntegrationTypes', () => {
  const types = describeIntegrationTypes();
  const schema = (type: string) =>
    types.find((t) => t.type === type)?.configSchema as {
      properties: Record<string, Record<string, unknown>>;
      required?: string[];
    };

  it('lists the three types with their secret fields', () => {
    expect(types.map((t) => [t.type, t.label, t.secretFields])).toEqual([
      ['docker', 'Docker', []],
      ['portainer', 'Portainer', ['apiKey']],
      ['komodo', 'Komodo', ['apiKey', 'apiSecret']],
    ]);
  });

  it('gives each config as JSON Schema with defaults, titles and secrets marked write-only', () => {
    expect(schema('docker').properties.host).toMatchObject({
      default: 'unix:///var/run/docker.sock',
      title: 'Docker host',
    });
    expect(schema('portainer').properties.apiKey).toMatchObject({
      type: 'string',
      writeOnly: true,
      'x-secret': true,
    });
    expect(schema('portainer').properties.verifySsl).toMatchObject({ type: 'boolean', default: true });
    expect(schema('komodo').required).toEqual(['url', 'apiKey', 'apiSecret']);
    expect(schema('komodo').properties.apiSecret).toMatchObject({ format: 'password', writeOnly: true });
    expect(JSON.parse(JSON.stringify(types))).toEqual(types);
  });
});
