import type { LocalNodePart, Logger, NodeDriver, TemplateSource } from '@berth/core';
import { loadBaseImages } from './base-images-setting.js';
import { ComposeCliSearch, composeCandidates, NO_COMPOSE_CLI } from './compose-cli.js';
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
  // Looked for beside the rest of the start, not before it: compose calls wait for it.
  const composeCli = new ComposeCliSearch(log, composeCandidates, settings.childEnv);
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
    return source === 'compose' ? NO_COMPOSE_CLI : undefined;
  };
  if (!local) return { runtimes: [], unsupported };
  return {
    // Read at each use: compose goes once the search for its CLI ended with none.
    get runtimes() {
      return [
        { runtime: local.runtime, sources: ['image' as const, 'build' as const] },
        ...(local.compose ? [{ runtime: local.compose, sources: ['compose' as const] }] : []),
      ];
    },
    portSource: local.ports,
    images: local.images,
    unsupported,
  };
}
