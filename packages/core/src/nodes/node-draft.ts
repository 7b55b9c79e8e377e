import { InvalidInput } from '../errors.js';
import { assertName } from '../names.js';
import type { NodeRegistry } from './node-registry.js';
import type { NodeTestResult } from './node-state.js';

/** A node as the add form has it, before it is added. */
export interface NodeDraft {
  name: string;
  kind?: string | undefined;
  config: unknown;
}

/**
 * Tries a node that is not added ("Test" before "Add"): its driver checks the config and opens it
 * as an add would, it is tested, and it is closed again. Nothing is stored or registered, and a
 * host key seen on the way is not kept (the add records it).
 */
export async function testNodeDraft(
  registry: NodeRegistry,
  draft: NodeDraft,
  timeoutMs = 10_000,
): Promise<NodeTestResult> {
  assertName('node', draft.name);
  const kind = draft.kind ?? 'docker';
  const kinds = registry.kinds().filter((k) => k !== 'local');
  if (!kinds.includes(kind as never)) {
    throw new InvalidInput(`kind must be one of ${kinds.join(', ')}; got '${kind}'`, {
      details: { field: 'kind', kinds },
    });
  }
  const driver = registry.driver(kind);
  const config = await driver.parseConfig(draft.config);
  const host = driver.hostOf?.(draft.name, config) ?? draft.name;
  const node = await driver.open(
    { name: draft.name, kind: driver.kind, host, config, createdAt: 0 },
    { updateConfig: () => {} },
  );
  try {
    const probe = await node.test(timeoutMs);
    if (!probe.ok) return probe;
    const { hostKey: _seen, ...details } = probe.details ?? {};
    return { ok: true, version: probe.version, ...details, latencyMs: probe.latencyMs };
  } finally {
    node.close();
  }
}
