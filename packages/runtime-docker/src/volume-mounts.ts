import { isAbsolute, relative, resolve } from 'node:path';
import { type DeploySpec, InvalidInput } from '@berth/core';

type ImageSourceVolume = Extract<DeploySpec['source'], { kind: 'image' }>['volumes'][number];

/** How `data` volumes reach the container: a bind mount of the data directory, or a named volume (remote engines). */
export type DataVolumeMode = 'bind' | 'named';

export interface VolumeMount {
  type: 'bind' | 'volume';
  /** Host path for a bind mount, volume name for a named volume. */
  source: string;
  target: string;
  readOnly: boolean;
  /** The instance's data directory (a `data` volume of the template), bound or named. */
  data: boolean;
}

/** `/var/lib/data` → `var-lib-data`. */
export function targetSlug(target: string): string {
  const slug = target
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'root';
}

export function volumeName(instanceName: string, target: string): string {
  return `berth-${instanceName}-${targetSlug(target)}`;
}

/** The data directory, or a folder inside it; a subPath that leaves the directory is refused. */
export function dataPath(dataDir: string, subPath: string | undefined): string {
  if (!subPath) return dataDir;
  const full = resolve(dataDir, subPath);
  const rel = relative(dataDir, full);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InvalidInput(`volume subPath '${subPath}' leaves the instance's data directory`, {
      details: { field: 'source.volumes.subPath' },
    });
  }
  return full;
}

export function volumeMounts(spec: DeploySpec, dataMode: DataVolumeMode): VolumeMount[] {
  if (spec.source.kind !== 'image') return [];
  return spec.source.volumes.map((v) => mountOf(spec, v, dataMode));
}

function mountOf(spec: DeploySpec, v: ImageSourceVolume, dataMode: DataVolumeMode): VolumeMount {
  const readOnly = v.readOnly ?? false;
  const data = (v.type ?? 'data') === 'data';
  if (data && dataMode === 'bind') {
    return { type: 'bind', source: dataPath(spec.dataDir, v.subPath), target: v.target, readOnly, data };
  }
  const source = volumeName(spec.instanceName, v.target);
  return { type: 'volume', source, target: v.target, readOnly, data };
}
