import { mkdir } from 'node:fs/promises';
import { Conflict, type DeploySpec, type Logger } from '@berth/core';
import type Dockerode from 'dockerode';
import { berthLabels, isBerthManaged, LABEL } from './berth-labels.js';
import { isConflict, isNotFound } from './docker-errors.js';
import { loggedCall } from './logged-call.js';
import type { VolumeMount } from './volume-mounts.js';

/** Creates, and removes, what an instance's mounts need: data folders and labelled named volumes. */
export class InstanceVolumes {
  constructor(
    private readonly docker: Dockerode,
    private readonly log: Logger,
  ) {}

  async prepare(spec: DeploySpec, mounts: VolumeMount[]): Promise<void> {
    for (const m of mounts) {
      if (m.type === 'bind') await mkdir(m.source, { recursive: true });
      else await this.ensureVolume(spec, m);
    }
  }

  private async ensureVolume(spec: DeploySpec, m: VolumeMount): Promise<void> {
    const existing = await this.findLabels(m.source);
    if (existing) {
      if (existing[LABEL.instanceId] === spec.instanceId && existing[LABEL.owner] === spec.owner) return;
      throw new Conflict(
        `Docker volume ${m.source} exists and does not belong to instance ${spec.instanceName}`,
        {
          code: 'VOLUME_CONFLICT',
          details: { volume: m.source },
        },
      );
    }
    const Labels = {
      ...berthLabels(spec),
      [LABEL.volumeTarget]: m.target,
      [LABEL.volumeKind]: m.data ? 'data' : 'volume',
    };
    await loggedCall(this.log, `creation of volume ${m.source}`, () =>
      this.docker.createVolume({ Name: m.source, Labels }),
    );
  }

  /** Labels of a volume, or undefined when it does not exist. */
  private async findLabels(name: string): Promise<Record<string, string> | undefined> {
    try {
      const info = await this.docker.getVolume(name).inspect();
      return info.Labels ?? {};
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Removes the named volumes of a container that berth made for the same instance and owner: with
   * `volumes` every one, else (`data`) those that hold its data directory (on a remote engine).
   */
  async removeFor(info: Dockerode.ContainerInspectInfo, which: { volumes: boolean }): Promise<void> {
    const labels = info.Config.Labels ?? {};
    const names = (info.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!);
    for (const name of names) {
      const vol = await this.findLabels(name);
      if (!vol || !isBerthManaged(vol)) continue;
      if (vol[LABEL.instanceId] !== labels[LABEL.instanceId] || vol[LABEL.owner] !== labels[LABEL.owner])
        continue;
      if (!which.volumes && vol[LABEL.volumeKind] !== 'data') continue;
      try {
        await loggedCall(this.log, `removal of volume ${name}`, () => this.docker.getVolume(name).remove());
      } catch (err) {
        if (isNotFound(err)) continue;
        if (!isConflict(err)) throw err;
        this.log.warn({ volume: name }, `volume ${name} is still in use; leaving it`);
      }
    }
  }
}
