import type { Clock, Logger, PortLedger, Store } from '@berth/core';
import { loadBaseImages } from './base-images-setting.js';
import { ComposeCli } from './compose-cli.js';
import { type DockerNode, openLocalDocker, openRemoteDockerNode } from './docker-node.js';
import { DockerNodeService } from './docker-node-service.js';
import type { BaseImageMap } from './image-resolver.js';
import type { NodeRuntimeResolver } from './node-runtime-resolver.js';

export interface OpenDockerNodesDeps {
  store: Store;
  ledger: PortLedger;
  resolver: NodeRuntimeResolver;
  clock: Clock;
  log: Logger;
  /** BERTH_HOME, where `base-images.json` may live. */
  home: string;
  env?: NodeJS.ProcessEnv;
}

export interface DockerNodes {
  nodes: DockerNodeService;
  /** The local engine, when one answers (image builds use it too). */
  local: DockerNode | undefined;
  baseImages: BaseImageMap;
}

/**
 * Everything Docker in one call for the composition root: the base-image mapping, the compose CLI,
 * the local engine (when one answers) and every stored remote node, registered in the resolver,
 * with their published ports as one ledger source.
 */
export async function openDockerNodes(d: OpenDockerNodesDeps): Promise<DockerNodes> {
  const log = d.log.child({ ns: 'runtime:docker' });
  const setting = await loadBaseImages(d.home, d.env ?? process.env);
  if (setting.from !== 'none') {
    log.info({ from: setting.from, images: setting.images }, `Base-image mapping from ${setting.from}`);
  }
  const composeCli = await ComposeCli.find(log);
  if (!composeCli)
    log.info({}, 'No compose CLI (docker compose or docker-compose): compose templates cannot run');
  const opts = { log: d.log, baseImages: setting.images, composeCli };
  const local = await openLocalDocker(opts);
  if (local) d.resolver.useLocalDocker(local);
  const nodes = new DockerNodeService({
    store: d.store,
    resolver: d.resolver,
    clock: d.clock,
    log: d.log,
    open: (record, onFirstHostKey) => openRemoteDockerNode(record, opts, onFirstHostKey),
  });
  await nodes.openAll();
  d.ledger.addSource(d.resolver);
  return { nodes, local, baseImages: setting.images };
}
