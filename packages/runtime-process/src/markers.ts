import { readFile } from 'node:fs/promises';
import type { DeploySpec } from '@berth/core';
import { readProcTextSync } from '@berth/host';

/**
 * Env vars berth puts on every process it starts, so it can find its own processes after a
 * restart or a crash (the process's initial environment is readable in /proc/<pid>/environ).
 */
export const MARKERS = {
  owner: 'BERTH_OWNER',
  instanceId: 'BERTH_INSTANCE_ID',
  instanceName: 'BERTH_INSTANCE',
  template: 'BERTH_TEMPLATE',
  logDir: 'BERTH_LOG_DIR',
  /** `name=port,name=port` of the instance's ports. */
  ports: 'BERTH_PORTS',
  /** `stdout=<bytes>,stderr=<bytes>`: where this process's lines begin in its log files. */
  logFrom: 'BERTH_LOG_FROM',
} as const;

export interface Markers {
  owner: string;
  instanceId: string | null;
  instanceName: string | null;
  template: string | null;
  logDir: string | null;
  ports: Record<string, number>;
  /** Log file offsets taken before the process started, so a readiness wait after adoption reads only its lines. */
  logFrom?: Record<string, number>;
}

export function markerEnv(spec: DeploySpec, logFrom?: Record<string, number>): Record<string, string> {
  return {
    ...(logFrom ? { [MARKERS.logFrom]: encodePairs(logFrom) } : {}),
    [MARKERS.owner]: spec.owner,
    [MARKERS.instanceId]: spec.instanceId,
    [MARKERS.instanceName]: spec.instanceName,
    [MARKERS.template]: spec.template,
    [MARKERS.logDir]: spec.logDir,
    [MARKERS.ports]: encodePairs(Object.fromEntries(spec.ports.map((p) => [p.name, p.hostPort]))),
  };
}

function encodePairs(pairs: Record<string, number>): string {
  return Object.entries(pairs)
    .map(([name, n]) => `${name}=${n}`)
    .join(',');
}

function parsePairs(text: string | undefined): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const pair of text ? text.split(',') : []) {
    const [name, port] = pair.split('=');
    if (name && Number.isInteger(Number(port))) ports[name] = Number(port);
  }
  return ports;
}

/**
 * Berth's markers from a NUL-separated environ block; undefined when there is no owner marker.
 * Each value is decoded on its own from the bytes: a slice of the decoded block kept the whole
 * environment alive with every cached marker (~1.3 KB a process; every process after a restart).
 */
export function parseMarkers(environ: Buffer | string): Markers | undefined {
  const env = new Map<string, string>();
  const buf = typeof environ === 'string' ? Buffer.from(environ, 'utf8') : environ;
  for (let start = 0; start < buf.length; ) {
    const nul = buf.indexOf(0, start);
    const end = nul === -1 ? buf.length : nul;
    if (buf.toString('latin1', start, Math.min(start + 6, end)) === 'BERTH_') {
      const eq = buf.indexOf(61, start); // '='
      if (eq > start && eq < end) env.set(buf.toString('utf8', start, eq), buf.toString('utf8', eq + 1, end));
    }
    start = end + 1;
  }
  const owner = env.get(MARKERS.owner);
  if (owner === undefined) return undefined;
  const logFrom = env.get(MARKERS.logFrom);
  return {
    ...(logFrom === undefined ? {} : { logFrom: parsePairs(logFrom) }),
    owner,
    instanceId: env.get(MARKERS.instanceId) ?? null,
    instanceName: env.get(MARKERS.instanceName) ?? null,
    template: env.get(MARKERS.template) ?? null,
    logDir: env.get(MARKERS.logDir) ?? null,
    ports: parsePairs(env.get(MARKERS.ports)),
  };
}

/** The markers of a process, or undefined when it has none or its environ is not readable. */
export async function readMarkers(pid: number): Promise<Markers | undefined> {
  try {
    return parseMarkers(await readFile(`/proc/${pid}/environ`));
  } catch {
    return undefined;
  }
}

/** The same, read synchronously (for batched scans of /proc). */
export function readMarkersSync(pid: number): Markers | undefined {
  try {
    return parseMarkers(readProcTextSync(`/proc/${pid}/environ`, 'utf8'));
  } catch {
    return undefined;
  }
}
