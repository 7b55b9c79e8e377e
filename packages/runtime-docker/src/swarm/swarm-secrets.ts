import { randomBytes } from 'node:crypto';
import { containerImageOf, type DeploySpec, type Logger, Unprocessable } from '@berth/core';
import type Dockerode from 'dockerode';
import { LABEL } from '../berth-labels.js';
import { engineMessage, isNotFound } from '../docker-errors.js';
import { loggedCall } from '../logged-call.js';

/** A Docker secret berth made for one env entry of an instance. */
export interface SecretRef {
  id: string;
  name: string;
  env: string;
}

/** Which env entry a secret holds (the value itself is never readable back from the engine). */
export const SECRET_ENV_LABEL = 'berth.secret-env';
const FILE_PREFIX = 'berth.env.';

/**
 * Secrets reach a task as files under /run/secrets; programs read env. The task's command becomes
 * this shell loop, which exports each `berth.env.<NAME>` file as NAME and execs the real argv
 * (its arguments), so the value is in the process's env but never in the service's spec. Needs
 * /bin/sh in the image; a value's trailing newlines are dropped, as `$(…)` does.
 */
export const SECRET_ENV_WRAPPER = `for f in /run/secrets/${FILE_PREFIX}*; do [ -f "$f" ] && export "\${f#/run/secrets/${FILE_PREFIX}}=$(cat "$f")"; done; exec "$@"`;

export function secretReferences(refs: SecretRef[]): Dockerode.SecretReference[] {
  return refs.map((r) => ({
    SecretID: r.id,
    SecretName: r.name,
    // Readable by the task's own user whoever it is, as its env would be.
    File: { Name: `${FILE_PREFIX}${r.env}`, UID: '0', GID: '0', Mode: 0o444 },
  }));
}

function instanceFilter(spec: Pick<DeploySpec, 'owner' | 'instanceId'>) {
  return { label: [`${LABEL.owner}=${spec.owner}`, `${LABEL.instanceId}=${spec.instanceId}`] };
}

/**
 * One new secret per secret env entry of the spec. Secrets cannot change, so every deploy makes
 * fresh ones (random names: a hash of the value would let anyone who can list secrets test guesses).
 */
export async function createSecrets(docker: Dockerode, spec: DeploySpec, log: Logger): Promise<SecretRef[]> {
  const out: SecretRef[] = [];
  for (const env of spec.secretEnv ?? []) {
    const value = spec.env[env];
    if (value === undefined) continue;
    const name = `berth-${spec.instanceName}-${env.toLowerCase()}-${randomBytes(4).toString('hex')}`;
    const labels = {
      [LABEL.managed]: 'true',
      [LABEL.owner]: spec.owner,
      [LABEL.instance]: spec.instanceName,
      [LABEL.instanceId]: spec.instanceId,
      [SECRET_ENV_LABEL]: env,
    };
    const created = (await loggedCall(log, `creation of secret ${name}`, () =>
      docker.createSecret({ Name: name, Labels: labels, Data: Buffer.from(value).toString('base64') }),
    )) as { id: string };
    out.push({ id: created.id, name, env });
  }
  return out;
}

/** Removes the instance's secrets other than `keep`; one a service still uses is left (the engine refuses). */
export async function removeSecrets(
  docker: Dockerode,
  spec: Pick<DeploySpec, 'owner' | 'instanceId'>,
  keep: string[],
  log: Logger,
): Promise<void> {
  const found = (await docker.listSecrets({ filters: instanceFilter(spec) })) as { ID: string }[];
  await Promise.all(
    found
      .filter((s) => !keep.includes(s.ID))
      .map((s) =>
        docker
          .getSecret(s.ID)
          .remove()
          .catch((err: unknown) => log.debug({ err: engineMessage(err) }, `secret ${s.ID} not removed`)),
      ),
  );
}

/**
 * The argv the secret wrapper execs (it replaces the image's entrypoint): the template's
 * entrypoint and command, else the image's own, read on the manager (a replica elsewhere runs the
 * same image).
 */
export async function wrappedArgv(docker: Dockerode, spec: DeploySpec, image: string): Promise<string[]> {
  const run = containerImageOf(spec);
  const command = run?.args;
  if (run?.entrypoint) return [...run.entrypoint, ...(command ?? [])];
  let config: { Entrypoint?: string[] | null; Cmd?: string[] | null };
  try {
    config = ((await docker.getImage(image).inspect()) as { Config: typeof config }).Config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new Unprocessable(
      `${spec.instanceName} has secret config values, which reach it through a wrapper that needs the entrypoint and command of image ${image}: give the template source.entrypoint (and source.command), or make the image present on the swarm's manager`,
      { code: 'IMAGE_UNAVAILABLE', details: { field: 'source.entrypoint' } },
    );
  }
  return [...(config.Entrypoint ?? []), ...(command ?? config.Cmd ?? [])];
}
