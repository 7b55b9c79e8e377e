import type { ComposeFile } from './compose-file.js';

/**
 * The service whose containers are a compose instance's replicas (and whose container speaks for
 * the instance): the template's `service`, else the first that publishes a port, else the first.
 */
export function composePrimary(file: ComposeFile, service?: string): string {
  return service ?? file.ports[0]?.service ?? file.services[0] ?? '';
}

/**
 * Why a compose file cannot run as `replicas` replicas, or null when it can — pure. Only the
 * primary service scales (`compose up --scale <primary>=N`); the others (a database, a cache) stay
 * one container that the replicas share. The primary cannot scale when it publishes a host port,
 * fixed or leased by berth (`${VAR}`): one host port cannot be shared by several containers (a
 * container port alone — `"8080"` — is fine: the engine gives each container its own host port);
 * nor when it sets `container_name`, which only one container can carry.
 */
export function composeScaleRefusal(
  file: ComposeFile,
  service: string | undefined,
  replicas: number,
): string | null {
  if (replicas <= 1) return null;
  const primary = composePrimary(file, service);
  const published = file.ports.find((p) => p.service === primary);
  if (published) {
    const port = published.variable
      ? `the host port berth leases for \${${published.variable}}`
      : `host port ${published.hostPort}`;
    return (
      `service ${primary} publishes ${port}, and one host port ` +
      `cannot be shared by ${replicas} containers — publish the container port alone (the engine then ` +
      `gives each container its own host port) or create ${replicas} instances instead`
    );
  }
  const name = file.containerNames[primary];
  if (name !== undefined) {
    return `service ${primary} sets container_name ${name}, which ${replicas} containers cannot share`;
  }
  return null;
}
