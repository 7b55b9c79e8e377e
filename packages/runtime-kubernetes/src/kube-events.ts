import type { ClusterEvent, Logger } from '@berth/core';
import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.js';

/** How many of an instance's newest events an observation carries. */
const RECENT = 20;

/**
 * The namespace's Events, or undefined when they cannot be read (events are news, not state: an
 * observation without them still says what runs, and berth tells the missed ones next time).
 */
export async function fetchEvents(
  client: KubeClient,
  namespace: string,
  log: Logger,
): Promise<CoreV1Event[] | undefined> {
  try {
    return (await client.core.listNamespacedEvent({ namespace })).items;
  } catch (err) {
    log.warn({ err, namespace }, 'Failed to list the namespace’s events');
    return undefined;
  }
}

/** The newest Events about a Deployment and its pods, in berth's words, oldest first. */
export function eventsAbout(events: CoreV1Event[], d: V1Deployment, pods: V1Pod[]): ClusterEvent[] {
  const uids = new Set([d, ...pods].map((o) => o.metadata?.uid).filter((u) => u !== undefined));
  return events
    .filter((e) => e.involvedObject.uid !== undefined && uids.has(e.involvedObject.uid))
    .map(clusterEvent)
    .sort((a, b) => (a.at ?? 0) - (b.at ?? 0))
    .slice(-RECENT);
}

function clusterEvent(e: CoreV1Event): ClusterEvent {
  const when = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return {
    uid: e.metadata.uid ?? `${e.metadata.name}@${e.metadata.resourceVersion}`,
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
    at: when ? new Date(when).getTime() : null,
  };
}
