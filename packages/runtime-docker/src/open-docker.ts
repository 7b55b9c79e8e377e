import type { LocalNodePart, Logger, NodeDriver, TemplateSource } from '@berth/core';
import { loadBaseImages } from './base-images-setting.js';
import { ComposeCli, composeCandidates } from './compose-cli.js';
import { type DockerNode, openLocalDocker } from './docker-node.js';
import { dockerNodeDriver } from './docker-node-driver.js';
import type { DockerSettings } from './docker-settings.js';
import type { BaseImageMap } from './image-resolver.js';

export interface DockerAdapter {
  /** Remote Docker engines as nodes (`kind: docker`). */
  driver: NodeDriver;
  /** The local engine's part of node local (when there is none, it says why its sources cannot run). */
  localPart: LocalNodePart;
  /** The local engine, when one answers (image builds use it too). */
  local: DockerNode | undefined;
  baseImages: BaseImageMap;
}

/**
 * Everything Docker in one call for the composition root, from the settings it read: the
 * base-image mapping, the compose CLI, the local engine (when one answers) and the docker driver.
 */
export async function openDocker(
  settings: DockerSettings,
  d: { log: Logger; home: string },
): Promise<DockerAdapter> {
  const log = d.log.child({ ns: 'runtime:docker' });
  const setting = await loadBaseImages(d.home, { BERTH_BASE_IMAGES: settings.baseImages });
  if (setting.from !== 'none') {
    log.info({ from: setting.from, images: setting.images }, `Base-image mapping from ${setting.from}`);
  }
  const composeCli = await ComposeCli.find(log, composeCandidates, settings.childEnv);
  if (!composeCli)
    log.info({}, 'No compose CLI (docker compose or docker-compose): compose templates cannot run');
  const opts = {
    log: d.log,
    baseImages: setting.images,
    composeCli,
    childEnv: settings.childEnv,
    ssh: settings.ssh,
  };
  const local = await openLocalDocker({ ...opts, endpoint: settings.endpoint, certPath: settings.certPath });
  return {
    driver: dockerNodeDriver(opts),
    localPart: localDockerPart(local),
    local,
    baseImages: setting.images,
  };
}

/** The local engine's runtimes and published ports as a part of node local. */
export function localDockerPart(local: DockerNode | undefined): LocalNodePart {
  const unsupported = (source: TemplateSource['kind']): string | undefined => {
    if (source === 'command') return undefined;
    if (!local) return `no Docker engine on node local, so ${source} templates cannot run here`;
    return source === 'compose'
      ? 'no compose CLI (docker compose or docker-compose) on this machine'
      : undefined;
  };
  if (!local) return { runtimes: [], unsupported };
  return {
    runtimes: [
      { runtime: local.runtime, sources: ['image', 'build'] },
      ...(local.compose ? [{ runtime: local.compose, sources: ['compose' as const] }] : []),
    ],
    portSource: local.ports,
    unsupported,
  };
}
