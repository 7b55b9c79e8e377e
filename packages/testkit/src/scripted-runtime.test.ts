import type { DeploySpec } from '@berth/core';
import { runtimeContract, type WorkloadOptions } from './runtime.case.js';
import { IGNORES_TERM, ScriptedRuntime } from './scripted-runtime.js';

const owner = `scripted-owner-${process.pid}`;

function specFor(o: WorkloadOptions): DeploySpec {
  return {
    instanceId: o.instanceId,
    instanceName: o.name,
    template: 'scripted',
    node: 'local',
    owner,
    dataDir: '/nonexistent',
    logDir: '/nonexistent',
    source: { kind: 'command', command: ['scripted'] },
    command: ['scripted'],
    cwd: '/',
    env: {},
    ports: [{ name: 'http', hostPort: o.port, containerPort: null, protocol: 'tcp' }],
    labels: {},
    readiness: { kind: 'port', port: o.port },
    readinessTimeoutMs: 5_000,
    stopTimeoutMs: 1_000,
    resources: undefined,
    replicas: 1,
    templateDir: null,
  };
}

// The scripted runtime keeps the contract real runtimes keep, so reconciler tests against it hold
// for them too.
runtimeContract('scripted', async () => ({
  runtime: new ScriptedRuntime({ serve: true }),
  owner,
  specFor,
  specIgnoringTermFor: (o) => ({ ...specFor(o), labels: { [IGNORES_TERM]: 'true' } }),
  cleanup: async () => {},
}));
