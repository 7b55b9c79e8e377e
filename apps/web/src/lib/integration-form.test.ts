import { describe, expect, it } from 'vitest';
import type { IntegrationTypeView } from '../api/types';
import { configOf, fieldKind, initialValues } from './integration-form';

const portainer: IntegrationTypeView = {
  type: 'portainer',
  label: 'Portainer',
  description: '',
  secretFields: ['apiKey'],
  configSchema: {
    type: 'object',
    required: ['url', 'apiKey'],
    properties: {
      url: { type: 'string', title: 'Portainer URL', format: 'uri' },
      apiKey: { type: 'string', title: 'API key', writeOnly: true, format: 'password', 'x-secret': true },
      verifySsl: { type: 'boolean', default: true },
      environments: {
        default: 'all',
        anyOf: [
          { type: 'string', const: 'all' },
          { type: 'array', items: { type: 'integer' } },
        ],
      },
      timeout: { type: 'integer', default: 30 },
    },
  },
};

describe('integration config form', () => {
  it('knows each field’s kind from the JSON Schema', () => {
    const p = portainer.configSchema.properties;
    expect([p.url, p.apiKey, p.verifySsl, p.environments, p.timeout].map((x) => fieldKind(x ?? {}))).toEqual([
      'text',
      'secret',
      'boolean',
      'choice-or-list',
      'number',
    ]);
  });

  it('starts from the defaults, or from the stored config with its secret masked', () => {
    expect(initialValues(portainer)).toEqual({
      url: '',
      apiKey: '',
      verifySsl: true,
      environments: 'all',
      timeout: '30',
    });
    const stored = {
      url: 'http://p:9000',
      apiKey: '••••',
      verifySsl: false,
      environments: [1, 3],
      timeout: 10,
    };
    expect(initialValues(portainer, stored)).toEqual({
      url: 'http://p:9000',
      apiKey: '••••',
      verifySsl: false,
      environments: '1, 3',
      timeout: '10',
    });
  });

  it('sends numbers as numbers, the mask unchanged, lists as ids, and leaves empty fields out', () => {
    expect(
      configOf(portainer, {
        url: ' http://p ',
        apiKey: '••••',
        verifySsl: true,
        environments: '2, 5',
        timeout: '',
      }),
    ).toEqual({ url: 'http://p', apiKey: '••••', verifySsl: true, environments: [2, 5] });
    expect(configOf(portainer, { environments: 'all', timeout: '45' })).toMatchObject({
      environments: 'all',
      timeout: 45,
    });
  });
});
