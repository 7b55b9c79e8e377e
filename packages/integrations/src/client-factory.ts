import type { Integration } from '@berth/core';
import { DockerIntegrationClient } from './docker-integration-client.js';
import type { IntegrationClient } from './integration-client.js';
import { dockerConfigSchema, komodoConfigSchema, portainerConfigSchema } from './integration-types.js';
import { KomodoClient } from './komodo-client.js';
import { PortainerClient } from './portainer-client.js';

/** An integration as a client needs it: its config with the secrets opened. */
export type OpenIntegration = Pick<Integration, 'type' | 'name'> & { config: Record<string, unknown> };

export type ClientFactory = (integration: OpenIntegration) => IntegrationClient;

/** The client for each type; `localNames` decides which hosts are this machine. */
export function clientFactory(localNames?: ReadonlySet<string>): ClientFactory {
  return (i) => {
    switch (i.type) {
      case 'docker':
        return new DockerIntegrationClient(dockerConfigSchema.parse(i.config), localNames);
      case 'portainer': {
        const c = portainerConfigSchema.parse(i.config);
        return new PortainerClient(c, c.apiKey, localNames);
      }
      case 'komodo': {
        const c = komodoConfigSchema.parse(i.config);
        return new KomodoClient(c, { apiKey: c.apiKey, apiSecret: c.apiSecret }, localNames);
      }
    }
  };
}

/** The integration's own time limit for one test or scan, in ms. */
export function timeoutMsOf(config: Record<string, unknown>): number {
  const t = config.timeout;
  return (typeof t === 'number' && t > 0 ? t : 30) * 1000;
}
