import type { DeployedSpec, Deployment } from './deployment.js';
import type { ConfigValue, Instance } from './instance.js';
import { desiredReplicas } from './instance-replicas.js';
import { openSecrets, type SecretBox } from './secret-box.js';
import type { Template } from './template.js';
import { pinnedVersion, versionsOf } from './template-versions.js';

type Config = Record<string, ConfigValue>;

/** The spec the instance's next deploy runs: its stored config (sealed as stored), env, pins… */
export function desiredSpecOf(template: Template, inst: Instance): DeployedSpec {
  const version = pinnedVersion(inst);
  const def = version === undefined ? undefined : versionsOf(template).get(version);
  const image =
    def?.kind === 'image' ? def.image : 'image' in template.source ? template.source.image : undefined;
  return {
    config: { ...inst.config },
    env: { ...(inst.env ?? {}) },
    pins: { ...inst.portOverrides },
    replicas: desiredReplicas(template, inst),
    restart: inst.restart ?? null,
    node: inst.node,
    image: image ?? null,
    version: version ?? null,
  };
}

/**
 * What differs between two specs, as field names (`config.port`, `env.DEBUG`, `ports.http`,
 * `replicas`, `restart`, `node`). Sealed values that differ in bytes are opened (in memory only)
 * before they are compared: a re-sealed secret is the same secret.
 */
export function specChanges(from: DeployedSpec, to: DeployedSpec, box?: SecretBox): string[] {
  const changed = [
    ...configChanges(from.config, to.config, box).map((k) => `config.${k}`),
    ...keyChanges(from.env, to.env).map((k) => `env.${k}`),
    ...keyChanges(from.pins, to.pins).map((k) => `ports.${k}`),
  ];
  if (from.replicas !== to.replicas) changed.push('replicas');
  if (JSON.stringify(from.restart) !== JSON.stringify(to.restart)) changed.push('restart');
  if (from.node !== to.node) changed.push('node');
  return changed;
}

function keyChanges<T>(a: Record<string, T>, b: Record<string, T>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => a[k] !== b[k]);
}

function configChanges(a: Config, b: Config, box?: SecretBox): string[] {
  const differ = keyChanges(a, b);
  if (differ.length === 0 || !box) return differ;
  const pick = (c: Config) => Object.fromEntries(differ.filter((k) => k in c).map((k) => [k, c[k]!]));
  try {
    const [openA, openB] = [openSecrets(pick(a), box), openSecrets(pick(b), box)];
    return differ.filter((k) => openA[k] !== openB[k]);
  } catch {
    return differ; // sealed with a key berth no longer has: it cannot be the same value
  }
}

/**
 * The edits stored since the instance's current deployment started ("changes not applied"):
 * only while it runs, and only against a deployment that kept its spec.
 */
export function unappliedChanges(
  template: Template,
  inst: Instance,
  dep: Deployment | undefined,
  box?: SecretBox,
): string[] {
  if (inst.status !== 'running' || !dep?.spec) return [];
  return specChanges(dep.spec, desiredSpecOf(template, inst), box);
}
