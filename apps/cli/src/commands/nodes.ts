import { resolve } from 'node:path';
import type {
  AddNodeBody,
  NodeDetailView,
  NodeHostKeyView,
  NodeTestView,
  UpdateNodeBody,
} from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatTable } from '../table.js';

const path = <A extends string = ''>(name: string, action = '' as A) =>
  `/nodes/${encodeURIComponent(name)}${action}` as const;

export function registerNodeCommands(program: Command): void {
  const node = program
    .command('node')
    .alias('nodes')
    .description('places instances run: local, and remote Docker hosts (tcp, tcp+TLS, ssh)');
  registerList(node);
  registerAdd(node);
  registerTest(node);
  registerHostKey(node);
  registerAddress(node);
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
          { header: 'ADDRESS', value: (n) => n.publicAddress },
          { header: 'RUNTIMES', value: (n) => n.runtimes.join(',') || '-' },
          { header: 'MESSAGE', value: (n) => n.message ?? '' },
        ]),
      );
    });
}

function registerAdd(node: Command): void {
  node
    .command('add <name> [endpoint]')
    .description(
      'add a remote Docker host (tcp://host:2375, tcp://host:2376 with TLS files, ssh://user@host), a Swarm through a manager (--kind swarm <endpoint>) or a Kubernetes cluster (--kind kubernetes --kubeconfig F)',
    )
    .option('--kind <kind>', 'docker, swarm or kubernetes', 'docker')
    .option('--kubeconfig <file>', 'kubernetes: the kubeconfig file the server reads')
    .option('--context <name>', 'kubernetes: the kubeconfig context (default: its current-context)')
    .option('--namespace <name>', "kubernetes: where instances go (default: the context's, else default)")
    .option(
      '--service-type <type>',
      "kubernetes: nodeport (default: ports published on the cluster's nodes) or clusterip (reached through berth's proxy and the API server; no NodePort taken)",
    )
    .option(
      '--storage-class <name>',
      "kubernetes: the storage class of persistent data claims whose template names none (default: the cluster's default)",
    )
    .option('--publish-mode <mode>', 'swarm: host (default) or ingress (the routing mesh)')
    .option(
      '--constraint <expr...>',
      'swarm: placement constraints every service gets (node.labels.pool==web)',
    )
    .option('--tls-ca <file>', 'CA certificate that signed the engine certificate')
    .option('--tls-cert <file>', 'client certificate')
    .option('--tls-key <file>', 'client key')
    .option('--cert-path <dir>', 'folder with ca.pem, cert.pem and key.pem (instead of the three files)')
    .option('--ssh-key <file>', 'private key for ssh:// endpoints')
    .option(
      '--host-key <fingerprint>',
      "the ssh host's key as `ssh-keygen -lf` prints it (SHA256:…); else known_hosts, else the first key seen is recorded",
    )
    .option(
      '--public-address <host>',
      "where clients reach its published ports (links, berth's proxy); default: the endpoint's host",
    )
    .option('--force', 'keep it even when it does not answer now (it shows as unreachable)')
    .option('--json', 'print JSON')
    .action(async (name: string, endpoint: string | undefined, opts, cmd: Command) => {
      const body: AddNodeBody = { name, kind: opts.kind, config: configOf(opts, endpoint) };
      if (opts.force) body.force = true;
      if (opts.publicAddress !== undefined) body.publicAddress = opts.publicAddress;
      const created = await clientOf(cmd).post<NodeDetailView>('/nodes', body);
      show(created, opts.json, (n) =>
        n.status === 'ready'
          ? `added node ${n.name} (${n.endpoint}), ready: ${n.runtimes.join(', ')}; ${addressNote(n)}${recordedNote(n.hostKey)}`
          : `added node ${n.name} (${n.endpoint}), but it is unreachable: ${n.message}; ${addressNote(n)}`,
      );
    });
}

/** The node's config from the flags of its kind; the server checks it and names a bad field. */
function configOf(opts: Record<string, string | string[] | undefined>, endpoint: string | undefined) {
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  if (opts.kind === 'kubernetes') {
    const kubeconfig = str('kubeconfig');
    if (!kubeconfig) throw new CliError('invalid', 'a kubernetes node needs --kubeconfig <file>');
    // The server reads the file: give it an absolute path.
    const config: Record<string, unknown> = { kubeconfig: resolve(kubeconfig) };
    if (str('context')) config.context = str('context');
    if (str('namespace')) config.namespace = str('namespace');
    // The server checks the value (nodeport/clusterip, any case) and names the field when wrong.
    if (str('serviceType')) config.serviceType = str('serviceType');
    if (str('storageClass')) config.storageClass = str('storageClass');
    return config;
  }
  if (!endpoint)
    throw new CliError(
      'invalid',
      `a ${str('kind')} node needs its endpoint (tcp://host:2375, ssh://user@host…)`,
    );
  const config: Record<string, unknown> = { endpoint, ...tlsOf(opts as Record<string, string | undefined>) };
  if (str('certPath')) config.certPath = str('certPath');
  if (str('sshKey')) config.sshKey = str('sshKey');
  if (str('hostKey')) config.hostKey = str('hostKey');
  if (opts.kind === 'swarm' && str('publishMode')) config.publishMode = str('publishMode');
  if (opts.kind === 'swarm' && Array.isArray(opts.constraint)) config.constraints = opts.constraint;
  return config;
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
          ? `${name}: Docker ${r.version} (API ${r.apiVersion}) in ${r.latencyMs} ms${recordedNote(r.hostKey)}`
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

/** Trust on first use is said out loud, with the fingerprint to compare with `ssh-keygen -lf` on the host. */
function recordedNote(hostKey: NodeHostKeyView | null | undefined): string {
  if (!hostKey?.recorded) return '';
  return `\nthe ssh host key was not known (no hostKey, no known_hosts entry): trusted it on first use and recorded it on the node: ${hostKey.fingerprint} — compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on the host`;
}

function registerHostKey(node: Command): void {
  node
    .command('host-key <name> [fingerprint]')
    .description(
      "set an ssh node's host key (SHA256:… as `ssh-keygen -lf` prints it) after its host was reinstalled, or --forget it",
    )
    .option(
      '--forget',
      'forget the recorded key: the next connection trusts the key it sees (unless known_hosts lists the host)',
    )
    .option('--json', 'print JSON')
    .action(async (name: string, fingerprint: string | undefined, opts, cmd: Command) => {
      if (Boolean(fingerprint) === Boolean(opts.forget)) {
        throw new CliError('invalid', 'give either a SHA256:… fingerprint or --forget');
      }
      const body: UpdateNodeBody = { hostKey: fingerprint ?? null };
      const updated = await clientOf(cmd).patch<NodeDetailView>(path(name), body);
      show(updated, opts.json, (n) => {
        const now = n.hostKey
          ? `${n.hostKey.fingerprint} (${n.hostKey.from === 'known_hosts' ? 'from known_hosts' : "the node's hostKey"})`
          : 'none yet';
        const head = fingerprint
          ? `node ${n.name} now expects the ssh host key ${fingerprint}`
          : `node ${n.name} forgot its ssh host key`;
        return `${head}; status ${n.status}${n.message ? `: ${n.message}` : ''}; host key: ${now}${recordedNote(n.hostKey)}`;
      });
    });
}

/** `instances' links and berth's proxy use 100.64.0.7 (its endpoint's host)`. */
function addressNote(n: NodeDetailView): string {
  const from = { setting: 'its public address', endpoint: "its endpoint's host", local: 'this machine' }[
    n.publicAddressFrom
  ];
  return `instances' links and berth's proxy use ${n.publicAddress} (${from})`;
}

function registerAddress(node: Command): void {
  node
    .command('address <name> [host]')
    .description(
      "set where clients reach a node's published ports (links, berth's proxy), or --reset to its endpoint's host",
    )
    .option('--reset', "go back to the endpoint's host")
    .option('--json', 'print JSON')
    .action(async (name: string, host: string | undefined, opts, cmd: Command) => {
      if (Boolean(host) === Boolean(opts.reset)) {
        throw new CliError('invalid', 'give either a host name or IP address, or --reset');
      }
      const body: UpdateNodeBody = { publicAddress: host ?? null };
      const updated = await clientOf(cmd).patch<NodeDetailView>(path(name), body);
      show(updated, opts.json, (n) => `node ${n.name}: ${addressNote(n)}`);
    });
}
