import { describe, expect, it } from 'vitest';
import { InvalidInput, RuntimeUnavailable } from './errors.js';
import { checkPlacement } from './instance-placement.js';
import type { Runtime } from './runtime.js';
import type { RuntimeResolver } from './runtime-resolver.js';
import { validateTemplate } from './template.js';

const containers = { kind: 'docker', runsImages: true } as Runtime;
const processes = { kind: 'process' } as Runtime;

/** node → what resolve does: a runtime, or the registry's refusal (an open node names the source). */
function resolver(nodes: Record<string, Runtime | Error>): RuntimeResolver {
  return {
    resolve: (node) => {
      const r = nodes[node];
      if (r instanceof Error) throw r;
      return r!;
    },
    byKind: () => processes,
    all: () => [],
    hostOf: (n) => n,
  };
}

const command = (image?: string) =>
  validateTemplate({
    name: 'hello',
    source: { kind: 'command', command: 'httpd', ...(image ? { image } : {}) },
  });

describe('checkPlacement (create refuses what a node can never run)', () => {
  const nodes = resolver({
    local: processes,
    far: containers,
    k8s: new RuntimeUnavailable('a compose template cannot run on a Kubernetes node', {
      details: { node: 'k8s', sourceKind: 'compose' },
    }),
    gone: new RuntimeUnavailable('node gone cannot be used: tls.ca file', { details: { node: 'gone' } }),
  });

  it('a command template without image: on a node that runs containers: a 400 naming the fix', () => {
    expect(() => checkPlacement(nodes, 'far', command())).toThrow(InvalidInput);
    expect(() => checkPlacement(nodes, 'far', command())).toThrow(
      "node far runs containers (docker): add `image:` to template hello's command source (the image its command runs in), or create the instance on node local",
    );
    expect(() => checkPlacement(nodes, 'far', command('busybox'))).not.toThrow();
    expect(() => checkPlacement(nodes, 'local', command())).not.toThrow();
  });

  it('a source kind the node has no runtime for is a 400 with the node driver words; a broken node is left to start', () => {
    const stack = validateTemplate({ name: 'stack', source: { kind: 'compose', file: 'c.yml' } });
    expect(() => checkPlacement(nodes, 'k8s', stack)).toThrow(
      'template stack cannot run on node k8s: a compose template cannot run on a Kubernetes node',
    );
    expect(() => checkPlacement(nodes, 'gone', command())).not.toThrow();
  });
});
