import type { EndpointContext } from './find-docker-endpoint.js';
import { knownHostsFile } from './ssh-host-key.js';

/** How ssh nodes log in and check host keys. */
export interface SshSettings {
  /** SSH_AUTH_SOCK: the agent a node without `sshKey` logs in through. */
  agentSocket?: string | undefined;
  /** BERTH_SSH_KNOWN_HOSTS, else `~/.ssh/known_hosts` of the user running berth. */
  knownHosts?: string | undefined;
}

/**
 * The Docker adapter's settings. The adapter reads no environment variable itself: the server's
 * settings module reads these (readDockerSettings over the environment it is given) and passes them.
 */
export interface DockerSettings {
  /** How the local engine is found: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, XDG_RUNTIME_DIR, the user id. */
  endpoint: EndpointContext;
  /** DOCKER_CERT_PATH, for the compose CLI talking to a local engine over TLS. */
  certPath: string | undefined;
  ssh: SshSettings;
  /** BERTH_BASE_IMAGES (else `<home>/base-images.json`). */
  baseImages: string | undefined;
  /** The environment the compose CLI runs in: berth's own (its DOCKER_* are replaced per node). */
  childEnv: NodeJS.ProcessEnv;
}

const ENDPOINT_VARIABLES = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'XDG_RUNTIME_DIR'];

/**
 * The Docker settings from an environment: `env` holds the settings, `childEnv` what children
 * inherit (the process's own environment, even when the settings come from elsewhere).
 */
export function readDockerSettings(
  env: NodeJS.ProcessEnv,
  proc: { uid: number | undefined; childEnv: NodeJS.ProcessEnv },
): DockerSettings {
  const endpointEnv = Object.fromEntries(
    ENDPOINT_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  );
  return {
    endpoint: { env: endpointEnv, uid: proc.uid },
    certPath: env.DOCKER_CERT_PATH || undefined,
    ssh: { agentSocket: env.SSH_AUTH_SOCK || undefined, knownHosts: knownHostsFile(env) },
    baseImages: env.BERTH_BASE_IMAGES || undefined,
    childEnv: proc.childEnv,
  };
}
