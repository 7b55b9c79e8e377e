import type { IntegrationType } from '@berth/core';
import { z } from 'zod';

/** What every secret field carries in its JSON Schema: never shown, never returned. */
const secretMeta = { writeOnly: true, format: 'password', 'x-secret': true } as const;

function secret(title: string, description: string) {
  return z
    .string()
    .trim()
    .min(1, `${title} is required`)
    .meta({ title, description, ...secretMeta });
}

const timeout = z.number().int().min(1).max(300).default(30).meta({
  title: 'Timeout (seconds)',
  description: 'How long one test or scan may take before it is given up.',
});

const httpUrl = (title: string, example: string) =>
  z
    .string()
    .trim()
    .refine(isHttpUrl, { message: `must be an http:// or https:// URL, like ${example}` })
    .meta({ title, description: `Base URL, like ${example}`, format: 'uri' });

export const dockerConfigSchema = z.object({
  host: z
    .string()
    .trim()
    .default('unix:///var/run/docker.sock')
    .refine(isDockerHost, {
      message: 'must be a unix socket (unix:///var/run/docker.sock or /var/run/docker.sock) or a tcp:// URL',
    })
    .meta({
      title: 'Docker host',
      description:
        'A unix socket path or a tcp:// URL, like unix:///var/run/docker.sock or tcp://10.0.0.5:2375',
    }),
  timeout,
});

export const portainerConfigSchema = z.object({
  url: httpUrl('Portainer URL', 'https://portainer.example.com'),
  apiKey: secret('API key', 'An access token from My account → Access tokens; sent as X-API-Key.'),
  verifySsl: z
    .boolean()
    .default(true)
    .meta({ title: 'Verify TLS certificates', description: 'Turn off only for self-signed certificates.' }),
  environments: z
    .union([z.literal('all'), z.array(z.number().int().positive()).min(1)])
    .default('all')
    .meta({ title: 'Environments', description: "'all', or the ids of the environments to scan." }),
  timeout,
});

export const komodoConfigSchema = z.object({
  url: httpUrl('Komodo URL', 'https://komodo.example.com'),
  apiKey: secret('API key', 'Sent as X-Api-Key.'),
  apiSecret: secret('API secret', 'Sent as X-Api-Secret.'),
  timeout,
});

export type DockerConfig = z.output<typeof dockerConfigSchema>;
export type PortainerConfig = z.output<typeof portainerConfigSchema>;
export type KomodoConfig = z.output<typeof komodoConfigSchema>;

export interface IntegrationTypeSpec {
  type: IntegrationType;
  label: string;
  description: string;
  schema: z.ZodObject;
  /** Fields kept encrypted in `secrets`, never in `config`, masked in every response. */
  secretFields: readonly string[];
}

export const integrationTypes: Record<IntegrationType, IntegrationTypeSpec> = {
  docker: {
    type: 'docker',
    label: 'Docker',
    description: 'A Docker Engine, on this machine (unix socket) or another (tcp://).',
    schema: dockerConfigSchema,
    secretFields: [],
  },
  portainer: {
    type: 'portainer',
    label: 'Portainer',
    description: 'A Portainer server; every Docker environment it manages is scanned.',
    schema: portainerConfigSchema,
    secretFields: ['apiKey'],
  },
  komodo: {
    type: 'komodo',
    label: 'Komodo',
    description: 'A Komodo Core; the containers of every server it reaches are scanned.',
    schema: komodoConfigSchema,
    secretFields: ['apiKey', 'apiSecret'],
  },
};

/** What `GET /api/v1/integrations/types` returns: each type with its config as JSON Schema. */
export function describeIntegrationTypes() {
  return Object.values(integrationTypes).map((t) => ({
    type: t.type,
    label: t.label,
    description: t.description,
    secretFields: [...t.secretFields],
    configSchema: z.toJSONSchema(t.schema, { io: 'input' }),
  }));
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isDockerHost(value: string): boolean {
  if (value.startsWith('/') || value.startsWith('unix:///')) return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'tcp:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}
