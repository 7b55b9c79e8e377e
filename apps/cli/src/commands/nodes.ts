import type { AddNodeBody, NodeDetailView, NodeTestView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatTable } from '../table.js';

const path = (name: string, action = '') => `/nodes/${encodeURIComponent(name)}${action}`;

export function registerNodeCommands(program: Command): void {
  const node = program
    .command('node')
    .alias('nodes')
    .description('places instances run: local, and remote Docker hosts (tcp, tcp+TLS, ssh)');
  registerList(node);
  registerAdd(node);
  registerTest(node);
  node
    .command('rm <name>')
    .alias('remove')
    .description('remove a node that no instance uses')
    .action(async (name: string, _opts, cmd: Command) => {
      await clientOf(cmd).delete(path(name));
      out(`removed node ${name}`);
    });
}

function registerList(node: Command): void {
  node
    .command('ls')
    .alias('list')
    .description('list nodes with their status and runtimes')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<NodeDetailView[]>('/nodes');
      show(rows, opts.json, (r) =>
        formatTable(r, [
          { header: 'NAME', value: (n) => n.name },
          { header: 'KIND', value: (n) => n.kind },
          { header: 'STATUS', value: (n) => n.status },
          { header: 'ENDPOINT', value: (n) => n.endpoint ?? '' },
          { header: 'RUNTIMES', value: (n) => n.runtimes.join(',') || '-' },
          { header: 'MESSAGE', value: (n) => n.message ?? '' },
        ]),
      );
    });
}

function registerAdd(node: Command): void {
  node
    .command('add <name> <endpoint>')
    .description('add a remote Docker host: tcp://host:2375, tcp://host:2376 with TLS files, ssh://user@host')
    .option('--tls-ca <file>', 'CA certificate that signed the engine certificate')
    .option('--tls-cert <file>', 'client certificate')
    .option('--tls-key <file>', 'client key')
    .option('--cert-path <dir>', 'folder with ca.pem, cert.pem and key.pem (instead of the three files)')
    .option('--ssh-key <file>', 'private key for ssh:// endpoints')
    .option('--json', 'print JSON')
    .action(async (name: string, endpoint: string, opts, cmd: Command) => {
      const body: AddNodeBody = { name, kind: 'docker', config: { endpoint, ...tlsOf(opts) } };
      if (opts.certPath) body.config.certPath = opts.certPath;
      if (opts.sshKey) body.config.sshKey = opts.sshKey;
      const created = await clientOf(cmd).post<NodeDetailView>('/nodes', body);
      show(created, opts.json, (n) =>
        n.status === 'ready'
          ? `added node ${n.name} (${n.endpoint}), ready: ${n.runtimes.join(', ')}`
          : `added node ${n.name} (${n.endpoint}), but it is unreachable: ${n.message}`,
      );
    });
}

function tlsOf(opts: Record<string, string | undefined>): {
  tls?: { ca: string; cert: string; key: string };
} {
  const given = [opts.tlsCa, opts.tlsCert, opts.tlsKey].filter(Boolean).length;
  if (given === 0) return {};
  if (given !== 3 || !opts.tlsCa || !opts.tlsCert || !opts.tlsKey) {
    throw new CliError('invalid', '--tls-ca, --tls-cert and --tls-key go together');
  }
  return { tls: { ca: opts.tlsCa, cert: opts.tlsCert, key: opts.tlsKey } };
}

function registerTest(node: Command): void {
  node
    .command('test <name>')
    .description("ask a node's engine for its version: latency, or why it cannot be reached")
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const result = await clientOf(cmd).post<NodeTestView>(path(name, '/test'));
      show(result, opts.json, (r) =>
        r.ok
          ? `${name}: Docker ${r.version} (API ${r.apiVersion}) in ${r.latencyMs} ms`
          : `${name}: ${r.reason}: ${r.message}`,
      );
      if (!result.ok)
        throw new CliError(
          'unreachable',
          `node ${name} cannot be reached (${result.reason})`,
          'NODE_UNREACHABLE',
        );
    });
}
