import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { KubeObject, ObjectStore } from './object-store.js';
import type { VolumeProvisioner } from './volume-provisioner.js';

export interface PodContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}

export interface Probe {
  httpGet?: { path?: string; port: number | string };
  tcpSocket?: { port: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

export interface PodSpec {
  containers: PodContainer[];
  volumes?: { name: string; emptyDir?: object; persistentVolumeClaim?: { claimName: string } }[];
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  shareProcessNamespace?: boolean;
  nodeName?: string;
}

/** A quantity (`512Mi`, `1G`, `250m`, `2`) as a plain number (bytes, or cores). */
export function quantity(q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return undefined;
  const units: Record<string, number> = {
    '': 1,
    m: 1e-3,
    n: 1e-9,
    u: 1e-6,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  const unit = units[m[2]!];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Thrown when the kubelet cannot make the container's config (a missing Secret): CreateContainerConfigError. */
export class ConfigError extends Error {}

function envOf(store: ObjectStore, ns: string, c: PodContainer): string[] {
  const out: string[] = [];
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (!ref) {
      out.push(`${e.name}=${e.value ?? ''}`);
      continue;
    }
    const secret = store.get('secrets', ns, ref.name);
    const data = (secret?.data as Record<string, string> | undefined)?.[ref.key];
    if (data === undefined) {
      if (ref.optional) continue;
      throw new ConfigError(
        secret
          ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`
          : `secret "${ref.name}" not found`,
      );
    }
    out.push(`${e.name}=${Buffer.from(data, 'base64').toString('utf8')}`);
  }
  return out;
}

/**
 * The Docker container the fake kubelet runs for a pod's container. `command` is the entrypoint and
 * `args` the cmd, as in Kubernetes. `shareProcessNamespace` puts an init process at PID 1 (the pause
 * container's role), so a workload without a SIGTERM handler still ends on TERM. emptyDir volumes
 * are folders under the pod's directory.
 */
export function containerOptions(
  store: ObjectStore,
  pod: KubeObject,
  c: PodContainer,
  labels: Record<string, string>,
  podDir: string,
  volumes?: Pick<VolumeProvisioner, 'volumeOf'>,
): Docker.ContainerCreateOptions {
  const spec = pod.spec as PodSpec;
  const ns = pod.metadata.namespace ?? 'default';
  const limits = c.resources?.limits ?? {};
  const memory = quantity(limits.memory);
  const cpus = quantity(limits.cpu);
  const binds = (c.volumeMounts ?? []).flatMap((m) => {
    const vol = spec.volumes?.find((v) => v.name === m.name);
    const claim = vol?.persistentVolumeClaim && volumes?.volumeOf(ns, vol.persistentVolumeClaim.claimName);
    if (claim && 'problem' in claim) throw new ConfigError(claim.problem);
    if (!vol?.emptyDir && !claim) return [];
    const base = claim ? claim.dir : join(podDir, 'volumes', m.name);
    // The kubelet refuses a subPath that climbs out of its volume.
    if (m.subPath?.split('/').includes('..') || m.subPath?.startsWith('/'))
      throw new ConfigError(`subPath "${m.subPath}" must be a relative path without '..'`);
    const dir = m.subPath ? join(base, m.subPath) : base;
    mkdirSync(dir, { recursive: true });
    return [`${dir}:${m.mountPath}${m.readOnly ? ':ro' : ''}`];
  });
  return {
    Image: c.image,
    ...(c.command ? { Entrypoint: c.command } : {}),
    ...(c.args ? { Cmd: c.args } : {}),
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
    Env: envOf(store, ns, c),
    Labels: labels,
    HostConfig: {
      Init: spec.shareProcessNamespace === true,
      Binds: binds,
      ...(memory ? { Memory: Math.floor(memory) } : {}),
      ...(cpus ? { NanoCpus: Math.floor(cpus * 1e9) } : {}),
    },
  };
}

/** A probe's port: a number, or the name of one of the container's ports. */
export function probePort(c: PodContainer, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}
