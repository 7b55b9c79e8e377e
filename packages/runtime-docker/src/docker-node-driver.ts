import {
  InvalidInput,
  type NodeDriver,
  type NodeProbe,
  type NodeRecord,
  nodeAddress,
  type OpenedNode,
  type TemplateSource,
} from '@berth/core';
import {
  closeDockerNode,
  type DockerNode,
  type DockerNodeOptions,
  openRemoteDockerNode,
  sshAgentOf,
} from './docker-node.js';
import { parseDockerNodeConfig, parseHostKey } from './docker-node-config.js';
import { parsePublicAddress } from './node-address.js';
import { testDocker } from './test-docker.js';

const CONFIG_FIELDS = ['endpoint', 'tls', 'certPath', 'sshKey', 'hostKey', 'publicAddress'];

/**
 * Remote Docker engines as nodes (`kind: docker`): tcp, tcp with TLS, or ssh with host-key checks;
 * each with its own port space (the node's name) and runtimes (containers, compose when the
 * compose CLI can reach the engine).
 */
export function dockerNodeDriver(opts: DockerNodeOptions): NodeDriver {
  return {
    kind: 'docker',
    parseConfig: (input) => ({ ...parseDockerNodeConfig(strict(input)) }),
    updateConfig: updateDockerConfig,
    async open(record, hooks) {
      const node = await openRemoteDockerNode(record, opts, (hostKey) => hooks.updateConfig({ hostKey }));
      return openedDockerNode(record, node);
    },
  };
}

/** Refuses fields a docker node does not have, naming the first (a typo must not pass silently). */
function strict(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const unknown = Object.keys(input).find((k) => !CONFIG_FIELDS.includes(k));
  if (unknown !== undefined) {
    throw new InvalidInput(`config.${unknown} is not a docker node setting (${CONFIG_FIELDS.join(', ')})`, {
      details: { field: `config.${unknown}` },
    });
  }
  return input;
}

/** A PATCH of `hostKey` (ssh nodes only) and `publicAddress`; null forgets one. All checked first. */
function updateDockerConfig(
  config: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const next = { ...config };
  if (patch.hostKey !== undefined) {
    const endpoint = parseDockerNodeConfig(config).endpoint;
    if (!endpoint.startsWith('ssh://')) {
      throw new InvalidInput(`hostKey applies to ssh:// endpoints only; this node is ${endpoint}`, {
        details: { field: 'hostKey' },
      });
    }
    if (patch.hostKey === null) delete next.hostKey;
    else next.hostKey = parseHostKey(String(patch.hostKey));
  }
  if (patch.publicAddress !== undefined) {
    if (patch.publicAddress === null) delete next.publicAddress;
    else next.publicAddress = parsePublicAddress(patch.publicAddress);
  }
  return next;
}

/** A command template runs here in the image it names (create refuses one without `image:`). */
const CONTAINER_SOURCES: TemplateSource['kind'][] = ['image', 'build', 'command'];

function openedDockerNode(record: NodeRecord, node: DockerNode): OpenedNode {
  return {
    // Read at each use: compose goes once the search for its CLI ended with none.
    get runtimes() {
      return [
        { runtime: node.runtime, sources: CONTAINER_SOURCES },
        ...(node.compose ? [{ runtime: node.compose, sources: ['compose' as const] }] : []),
      ];
    },
    portSource: node.ports,
    images: node.images,
    address: nodeAddress(record).address,
    test: (timeoutMs) => testDockerNode(node, timeoutMs),
    close: () => closeDockerNode(node),
    unsupported: (source) =>
      source === 'compose'
        ? `node ${record.name} cannot run compose templates: no compose CLI on this machine reaches its engine`
        : `node ${record.name} is a Docker node; it cannot run ${source} templates`,
  };
}

/** The engine's version and latency; for an ssh node, the host key it presented and what it matched. */
async function testDockerNode(node: DockerNode, timeoutMs: number): Promise<NodeProbe> {
  const result = await testDocker(node.docker, { timeoutMs });
  if (!result.ok) return result;
  const seen = sshAgentOf(node)?.hostKey;
  return {
    ok: true,
    version: result.version,
    latencyMs: result.latencyMs,
    details: {
      apiVersion: result.apiVersion,
      ...(seen ? { hostKey: { fingerprint: seen.fingerprint, from: seen.trust } } : {}),
    },
  };
}
