import { InvalidInput, RuntimeUnavailable } from './errors.js';
import type { Runtime } from './runtime.js';
import type { RuntimeResolver } from './runtime-resolver.js';
import type { Template } from './template.js';

/**
 * Refuses at create, with what to change, a template its node can never run: a source kind no
 * runtime of the node serves (a compose template on a cluster), or a command template without
 * `image:` on a node that runs containers. A node that cannot be opened right now is not refused
 * here: it may come back, and a start says why it cannot.
 */
export function checkPlacement(runtimes: RuntimeResolver, node: string, template: Template): void {
  const runtime = resolvedOrRefused(runtimes, node, template);
  if (!runtime?.runsImages || template.source.kind !== 'command' || template.source.image) return;
  throw new InvalidInput(
    `node ${node} runs containers (${runtime.kind}): add \`image:\` to template ${template.name}'s command ` +
      'source (the image its command runs in), or create the instance on node local',
    { details: { field: 'node', node, template: template.name, needs: 'source.image' } },
  );
}

function resolvedOrRefused(runtimes: RuntimeResolver, node: string, template: Template): Runtime | undefined {
  try {
    return runtimes.resolve(node, template.source.kind);
  } catch (err) {
    // Only a node that is open and has no runtime for the source names it (`details.sourceKind`).
    if (!(err instanceof RuntimeUnavailable) || err.details?.sourceKind === undefined) return undefined;
    throw new InvalidInput(`template ${template.name} cannot run on node ${node}: ${err.message}`, {
      details: { field: 'node', node, template: template.name, source: template.source.kind },
    });
  }
}
