import { describe, expect, it } from 'vitest';
import { integrationCredentials, serverUrl } from './client-options.js';

/** The CLI's settings come from its flags, else the environment it is given, in one module. */
describe('client options', () => {
  it('takes the integration credentials from the flags, else BERTH_INTEGRATION_API_KEY/SECRET', () => {
    const env = { BERTH_INTEGRATION_API_KEY: 'env-key', BERTH_INTEGRATION_API_SECRET: 'env-secret' };
    expect(integrationCredentials({}, env)).toEqual({ apiKey: 'env-key', apiSecret: 'env-secret' });
    expect(integrationCredentials({ apiKey: 'flag-key' }, env)).toEqual({
      apiKey: 'flag-key',
      apiSecret: 'env-secret',
    });
    expect(integrationCredentials({}, {})).toEqual({ apiKey: undefined, apiSecret: undefined });
  });

  it('takes the server from --server, else BERTH_URL, else the default address', () => {
    expect(serverUrl({ server: 'http://h:1/' }, { BERTH_URL: 'http://e:2' })).toBe('http://h:1');
    expect(serverUrl({}, { BERTH_URL: 'http://e:2//' })).toBe('http://e:2');
    expect(serverUrl({}, {})).toBe('http://127.0.0.1:7411');
  });
});
