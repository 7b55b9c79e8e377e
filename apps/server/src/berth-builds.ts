import { BuildService, ImageBuilder, type SourcePolicy } from '@berth/builder';
import type { EventBus, InstanceService, Logger, TemplateService } from '@berth/core';
import {
  type BaseImageMap,
  connectDocker,
  type EndpointContext,
  findDockerEndpoint,
} from '@berth/runtime-docker';
import type Dockerode from 'dockerode';

export interface BuildsDeps {
  home: string;
  templates: TemplateService;
  instances: InstanceService;
  log: Logger;
  /** Told of each build's end. */
  events?: Pick<EventBus, 'emit'>;
  /** The local engine's client, when the composition root has one; else it is looked for here. */
  docker?: Dockerode | undefined;
  /** How the local engine is found (the server's Docker settings). */
  endpoint?: EndpointContext;
  /** The base-image mapping (BERTH_BASE_IMAGES or base-images.json), as the Docker nodes loaded it. */
  baseImages: BaseImageMap;
  /** The host ports built apps lease from (BERTH_BUILD_PORTS); the ledger's range when absent. */
  portRange?: [number, number] | undefined;
  /** Local directories sources may come from (none: local paths refused) and the caps on an import. */
  sources?: SourcePolicy;
}

/**
 * Deploy-from-a-repository for the composition root: the image builder on the local engine (found
 * by the ordered strategies when not given), the base-image mapping, and builds left under way by a
 * previous run marked interrupted.
 */
export async function startBuilds(d: BuildsDeps): Promise<BuildService> {
  const log = d.log.child({ ns: 'build' });
  const docker = d.docker ?? (await localDocker(log, d.endpoint));
  const { baseImages, portRange } = d;
  const builds = new BuildService({
    home: d.home,
    templates: d.templates,
    instances: d.instances,
    builder: docker ? new ImageBuilder({ docker, baseImages, log }) : undefined,
    log,
    ...(d.events ? { events: d.events } : {}),
    ...(portRange ? { portRange } : {}),
    ...(d.sources ? { sources: d.sources } : {}),
  });
  if (d.sources?.allowPaths.length)
    log.info({ allowPaths: d.sources.allowPaths }, 'Builds may import local directories under these paths');
  const interrupted = await builds.recover();
  if (interrupted > 0) log.warn({ interrupted }, 'Builds under way at the last stop were marked interrupted');
  return builds;
}

async function localDocker(log: Logger, endpoint?: EndpointContext): Promise<Dockerode | undefined> {
  const found = await findDockerEndpoint(log, undefined, endpoint);
  if (!found) log.info({}, 'No local Docker engine: repositories can be detected but not built');
  return found ? connectDocker(found.endpoint) : undefined;
}
