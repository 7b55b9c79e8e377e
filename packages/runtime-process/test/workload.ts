import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploySpec } from '@berth/core';
import type { WorkloadOptions } from '@berth/testkit';

/** The contract workload: HTTP on PORT, greets on both streams, echoes `?say=` on stdout. */
export const SERVER = `
const http = require('node:http');
const name = process.env.NAME;
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
http.createServer((req, res) => {
  const say = new URL(req.url, 'http://x').searchParams.get('say');
  if (say) console.log(say);
  res.end('ok');
}).listen(Number(process.env.PORT), () => {
  console.log('hello ' + name);
  console.error('warn ' + name);
});
`;

export function workloadSpec(
  root: string,
  owner: string,
  opts: WorkloadOptions,
  extra: { env?: Record<string, string>; script?: string } = {},
): DeploySpec {
  const dataDir = join(root, 'instances', 'node', opts.name);
  mkdirSync(dataDir, { recursive: true });
  return {
    instanceId: opts.instanceId,
    instanceName: opts.name,
    template: 'node',
    node: 'local',
    owner,
    dataDir,
    logDir: join(root, 'logs', opts.instanceId),
    source: { kind: 'command', command: process.execPath, args: [] },
    command: [process.execPath, '-e', extra.script ?? SERVER],
    cwd: dataDir,
    env: { NAME: opts.name, PORT: String(opts.port), ...extra.env },
    ports: [{ name: 'http', hostPort: opts.port, containerPort: null, protocol: 'tcp' }],
    labels: {},
    readiness: { kind: 'http', port: opts.port, path: '/' },
    readinessTimeoutMs: 10_000,
    stopTimeoutMs: 5_000,
    resources: undefined,
    replicas: 1,
    templateDir: null,
  };
}
