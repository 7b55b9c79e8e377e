import { BuildService, ImageBuilder, type SourcePolicy } from '@berth/build';
import { type InstanceService, InvalidInput, type Logger, type TemplateService } from '@berth/core';
import { type BaseImageMap, connectDocker, findDockerEndpoint, loadBaseImages } from '@berth/runtime-docker';
import type Dockerode from 'dockerode';

export interface BuildsDeps {
  home: string;
  templates: TemplateService;
  instances: InstanceService;
  log: Logger;
  /** The local engine's client, when the composition root has one; else it is looked for here. */
  docker?: Dockerode | undefined;
  baseImages?: BaseImageMap | undefined;
  env?: NodeJS.ProcessEnv;
  /** Local directories sources may come from (none: local paths refused) and the caps on an import. */
  sources?: SourcePolicy;
}

/**
 * Deploy-from-a-repository for the composition root: the image builder on the local engine (found
 * by the ordered strategies when not given), the base-image mapping (BERTH_BASE_IMAGES or
 * base-images.json), and builds left under way by a previous run marked interrupted.
 */
export async function startBuilds(d: BuildsDeps): Promise<BuildService> {
  const log = d.log.child({ ns: 'build' });
  const docker = d.docker ?? (await localDocker(log));
  const env = d.env ?? process.env;
  const baseImages = d.baseImages ?? (await loadBaseImages(d.home, env)).images;
  const portRange = buildPorts(env.BERTH_BUILD_PORTS);
  const builds = new BuildService({
    home: d.home,
    templates: d.templates,
    instances: d.instances,
    builder: docker ? new ImageBuilder({ docker, baseImages, log }) : undefined,
    log,
    ...(portRange ? { portRange } : {}),
    ...(d.sources ? { sources: d.sources } : {}),
  });
  if (d.sources?.allowPaths.length)
    log.info({ allowPaths: d.sources.allowPaths }, 'Builds may import local directories under these paths');
  const interrupted = await builds.recover();
  if (interrupted > 0) log.warn({ interrupted }, 'Builds under way at the last stop were marked interrupted');
  return builds;
}

async function localDocker(log: Logger): Promise<Dockerode | undefined> {
  const found = await findDockerEndpoint(log);
  if (!found) log.info({}, 'No local Docker engine: repositories can be detected but not built');
  return found ? connectDocker(found.endpoint) : undefined;
}

/** BERTH_BUILD_PORTS=`41000-41999`: the host ports built apps lease from (the ledger's range when unset). */
function buildPorts(raw: string | undefined): [number, number] | undefined {
  if (!raw) return undefined;
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(raw.trim());
  const [from, to] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || from < 1 || to > 65535 || from > to) {
    throw new InvalidInput(`BERTH_BUILD_PORTS must look like 41000-41999, got '${raw}'`, {
      details: { field: 'BERTH_BUILD_PORTS' },
    });
  }
  return [from, to];
}
