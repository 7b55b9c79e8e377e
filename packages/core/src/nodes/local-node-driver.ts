import type { TakenPort } from '../port-lease.js';
import type { PortSource } from '../port-view.js';
import type { TemplateSource } from '../template.js';
import type { NodeImages } from '../version-host.js';
import type { NodeDriver, NodeRuntime, OpenedNode } from './node-driver.js';

type SourceKind = TemplateSource['kind'];

/**
 * What one adapter brings to node local (this machine): processes, the local Docker engine. A
 * part whose system is missing still says why its sources cannot run here.
 */
export interface LocalNodePart {
  runtimes: NodeRuntime[];
  /** Ports its workloads publish on this machine beyond the live listeners (a local engine's). */
  portSource?: PortSource;
  /** The images on this machine's container engine, when the part is one that answers. */
  images?: NodeImages;
  /** Why a source kind it would serve cannot run here; undefined when it is not its kind. */
  unsupported?(source: SourceKind): string | undefined;
  close?(): void;
}

/** Node local: this machine, one runtime per part; it is always there, so its test always passes. */
export function localNodeDriver(parts: LocalNodePart[]): NodeDriver {
  return {
    kind: 'local',
    parseConfig: () => ({}),
    open: async (): Promise<OpenedNode> => {
      const sources = parts.flatMap((p) => (p.portSource ? [p.portSource] : []));
      const images = parts.find((p) => p.images)?.images;
      return {
        // Read at each use: a part's runtimes may change (compose once its CLI is known missing).
        get runtimes() {
          return parts.flatMap((p) => p.runtimes);
        },
        ...(sources.length > 0 ? { portSource: joinedSources(sources) } : {}),
        address: '127.0.0.1',
        ...(images
          ? { images }
          : {
              imagesUnknown: 'no container engine answers on node local, so berth cannot look at its images',
            }),
        test: async () => ({ ok: true, version: 'this machine', latencyMs: 0 }),
        close: () => {
          for (const p of parts) p.close?.();
        },
        unsupported: (source) =>
          parts.map((p) => p.unsupported?.(source)).find((why) => why !== undefined) ??
          `no runtime on node local runs ${source} templates`,
      };
    },
  };
}

function joinedSources(sources: PortSource[]): PortSource {
  return {
    name: sources.map((s) => s.name).join(', '),
    async taken(host: string): Promise<TakenPort[]> {
      return (await Promise.all(sources.map((s) => s.taken(host)))).flat();
    },
  };
}
