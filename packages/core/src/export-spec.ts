import { buildDeploySpec } from './deploy-spec.js';
import type { ConfigValue, Instance } from './instance.js';
import { intersectRanges, type PortRange } from './port-view.js';
import type { DeploySpec } from './runtime.js';
import type { PortSpec, Template } from './template.js';

/** The formats `berth export` and the manifest route print. */
export const EXPORT_FORMATS = ['compose', 'swarm', 'kubernetes'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * The variable a secret config field's value is referred to by in an export: its env name, else
 * `CONFIG_<KEY>`. An export writes `${NAME}` where the value would go, never the value.
 */
export function secretVariable(template: Pick<Template, 'config'>, key: string): string {
  return template.config[key]?.env ?? `CONFIG_${key.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The deploy spec berth would apply for an instance, for an export: the same builder the deploy
 * uses, with every secret config value replaced by `${NAME}` before anything is built — sealed
 * values are never opened, so no secret value can reach the output (env, args or a Secret).
 */
export function exportDeploySpec(
  template: Template,
  instance: Instance,
  ports: Record<string, number>,
  owner: string,
): DeploySpec {
  const config: Record<string, ConfigValue> = { ...instance.config };
  for (const [key, field] of Object.entries(template.config)) {
    if (field.secret) config[key] = `\${${secretVariable(template, key)}}`;
  }
  return buildDeploySpec(template, { ...instance, config }, ports, { owner, logDir: '', templateDir: null });
}

/**
 * A template's export before any instance exists: an instance named after the template with its
 * default config (a required value without one is left as `${CONFIG_<KEY>}`), on each port's
 * preferred port, else the start of its range, else its container port — berth leases the real
 * ones at create. On a host with a port range of its own (a cluster's NodePorts) the stand-in is
 * inside that range, as the ledger would choose it.
 */
export function templateExportSpec(
  template: Template,
  node: string,
  owner: string,
  hostRange?: PortRange,
): DeploySpec {
  const config: Record<string, ConfigValue> = {};
  for (const [key, field] of Object.entries(template.config)) {
    config[key] = field.default ?? `\${${secretVariable(template, key)}}`;
  }
  const ports = Object.fromEntries(template.ports.map((p) => [p.name, standInPort(p, hostRange)]));
  const instance: Instance = {
    id: template.name,
    name: template.name,
    template: template.name,
    node,
    config,
    portOverrides: {},
    desiredState: 'running',
    status: 'stopped',
    health: null,
    errorMessage: null,
    restartCount: 0,
    lastExitCode: null,
    nextRetryAt: null,
    currentDeploymentId: null,
    dataDir: `/var/lib/berth/${template.name}`,
    createdAt: 0,
    updatedAt: 0,
  };
  return exportDeploySpec(template, instance, ports, owner);
}

function standInPort(p: PortSpec, hostRange: PortRange | undefined): number {
  const port = p.preferred ?? p.range?.[0] ?? p.containerPort ?? 8080;
  if (!hostRange || (port >= hostRange[0] && port <= hostRange[1])) return port;
  return (p.range && intersectRanges(p.range, hostRange)?.[0]) ?? hostRange[0];
}
