import type {
  CreatedInstanceView,
  CreateInstanceBody,
  InstanceView,
  PreflightResultView,
} from '@berth/contracts';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { canPrompt, clientOf, err, out, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { type ConflictFlowOptions, describeConflicts, resolvingConflicts } from '../conflict-flow.js';
import { EXIT_CODES } from '../exit-codes.js';
import { formatUptime } from '../format-units.js';
import { withProgress } from '../progress.js';
import { ask } from '../prompt.js';
import { formatTable } from '../table.js';
import { isBulk, runBulkCommand, withSelectors } from './instance-bulk.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function keyValues(pairs: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError('invalid', `${what} must look like key=value, got '${pair}'`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function portPins(pairs: string[]): Record<string, number> {
  const pins: Record<string, number> = {};
  for (const [name, raw] of Object.entries(keyValues(pairs, '--port'))) {
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CliError('invalid', `--port ${name}=${raw}: the port must be a number between 1 and 65535`);
    }
    pins[name] = port;
  }
  return pins;
}

const portsText = (i: InstanceView) =>
  Object.entries(i.ports)
    .map(([name, port]) => `${name}:${port}`)
    .join(',') || '-';

/** `running 2/3` for an instance of several replicas, or one running fewer than it wants. */
function replicaCount(i: InstanceView): string {
  const r = i.replicas;
  if (!r || (r.desired <= 1 && (i.status !== 'running' || r.running === r.desired))) return '';
  return ` ${r.running}/${r.desired}`;
}

const statusText = (i: InstanceView) =>
  `${i.status}${replicaCount(i)}${i.health && (i.status === 'running' || i.status === 'external') ? ` (${i.health})` : ''}${unappliedText(i)}`;

/** An edit stored but not applied to what runs (`berth apply` applies it). */
const unappliedText = (i: InstanceView) =>
  (i.unappliedChanges ?? []).length > 0 ? ' (changes not applied)' : '';

/** Whole number from 1, for --replicas and scale. */
function replicasArg(raw: string, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError('invalid', `${what} must be a whole number from 1, got '${raw}'`);
  return n;
}

/** A replica's host ports: `49153→80/tcp,49154→9000/tcp`. */
const replicaPortsText = (x: InstanceView['replicas']['items'][number]) =>
  (x.ports ?? [])
    .map((p) => `${p.hostPort}${p.containerPort !== null ? `→${p.containerPort}` : ''}/${p.protocol}`)
    .join(',');

/** The summary, then one line per replica: its node, state, host ports and why it failed. */
export function details(i: InstanceView): string {
  const r = i.replicas;
  // Kubernetes nodes: whether the data outlives the pod (`data: PersistentVolumeClaim web-1-ab12cd (1Gi, class standard)`).
  const data = i.data ? `\n  data: ${i.data.summary}` : '';
  if (!r) return summary(i) + data;
  const rows = r.items.map((x, n) => {
    const ports = replicaPortsText(x);
    return `\n  ${String(n + 1).padStart(2)}  ${(x.node ?? '?').padEnd(20)}  ${x.state}${ports ? `  ${ports}` : ''}${x.reason ? `  ${x.reason}` : ''}`;
  });
  return `${summary(i)}${data}\n  replicas ${r.running}/${r.desired} running${rows.join('')}`;
}

export function instanceTable(rows: InstanceView[], now = Date.now()): string {
  return formatTable(rows, [
    { header: 'NAME', value: (i) => i.name },
    { header: 'TEMPLATE', value: (i) => i.template },
    { header: 'STATUS', value: statusText },
    // Since the current deployment started; empty unless it runs.
    { header: 'UPTIME', value: (i) => (i.runningSince == null ? '' : formatUptime(now - i.runningSince)) },
    { header: 'RESTARTS', value: (i) => String(i.restartCount) },
    { header: 'PORTS', value: portsText },
    { header: 'URL', value: (i) => i.url },
    { header: 'PROXY', value: (i) => i.proxyUrl },
    // Which port URL and PROXY go to (the template's `proxy`); others: `<port>.<name>.localhost`.
    { header: 'LINK PORT', value: (i) => (i.links ?? []).find((l) => l.primary)?.port ?? '' },
  ]);
}

/** The instance on one line, then one line per link saying which port it goes to (the default first). */
function summary(i: InstanceView): string {
  const links = [...(i.links ?? [])].sort((a, b) => Number(b.primary) - Number(a.primary));
  const width = Math.max(0, ...links.map((l) => l.port.length));
  const lines = links.map(
    (l) =>
      `\n  ${l.port.padEnd(width)}  ${l.url}  proxy ${l.primary && i.proxyUrl ? i.proxyUrl : l.proxyUrl}${l.primary ? '  (default)' : ''}`,
  );
  const error = i.errorMessage ? `\n  ${i.errorMessage}` : '';
  const unapplied = (i.unappliedChanges ?? []).length
    ? `\n  changes not applied: ${i.unappliedChanges.join(', ')} (berth apply ${i.name})`
    : '';
  const version = i.version ? `  version ${i.version}` : '';
  return `${i.name}  ${statusText(i)}${version}  ${portsText(i)}${lines.join('')}${error}${unapplied}`.trimEnd();
}

function conflictOptions(yes: boolean | undefined): ConflictFlowOptions {
  return { yes: Boolean(yes), interactive: canPrompt(), ask, report: err };
}

const enc = encodeURIComponent;

async function startResolving(api: ApiClient, name: string, yes: boolean | undefined): Promise<InstanceView> {
  return resolvingConflicts(
    () =>
      withProgress(
        `Starting ${name}…`,
        api.post<InstanceView>(`/instances/${enc(name)}/start`, undefined, { wait: 1 }),
      ),
    async (c, port) => {
      await api.post(`/instances/${enc(name)}/port-override`, { name: c.name, port });
    },
    conflictOptions(yes),
  );
}

export function registerInstanceCommands(program: Command): void {
  program
    .command('ps')
    .description('list instances')
    .option('--template <name>', 'only instances of this template')
    .option('--status <status>', 'only instances with this status')
    .option('--node <node>', 'only instances on this node')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<InstanceView[]>('/instances', {
        template: opts.template,
        status: opts.status,
        node: opts.node,
      });
      show(rows, opts.json, (r) => (r.length === 0 ? 'No instances.' : instanceTable(r)));
    });

  program
    .command('create <template>')
    .description('create an instance of a template (and start it)')
    .option('--name <name>', 'instance name (default <template>-<n>)')
    .option('--config <key=value>', 'a config value (repeatable)', collect, [])
    .option('--version <version>', "one of the template's versions (berth versions <template>)")
    .option('--port <name=port>', 'pin a port (repeatable)', collect, [])
    .option('--node <node>', 'node to run on')
    .option(
      '--replicas <n>',
      "replicas to run (default: the template's; nodes that run one workload per instance refuse more than 1)",
    )
    .option('--label <key=value>', 'a label, for choosing instances together (repeatable)', collect, [])
    .option('--no-start', 'create without starting')
    .option('-y, --yes', 'accept suggested ports on a conflict')
    .option('--json', 'print JSON')
    .action(async (template: string, opts, cmd: Command) => {
      const api = clientOf(cmd);
      const body: CreateInstanceBody = {
        template,
        ...(opts.name ? { name: opts.name } : {}),
        config: keyValues(opts.config, '--config'),
        ...(opts.version ? { version: opts.version } : {}),
        ports: portPins(opts.port),
        ...(opts.node ? { node: opts.node } : {}),
        ...(opts.replicas !== undefined ? { replicas: replicasArg(opts.replicas, '--replicas') } : {}),
        start: opts.start,
        ...(opts.label.length ? { labels: keyValues(opts.label, '--label') } : {}),
      };
      const inst = await resolvingConflicts(
        () =>
          withProgress(
            `Creating ${opts.name ?? template}…`,
            api.post<CreatedInstanceView>('/instances', body, { wait: 1 }),
          ),
        async (c, port) => {
          body.ports = { ...body.ports, [c.name]: port };
        },
        conflictOptions(opts.yes),
      );
      for (const w of inst.warnings ?? []) err(`warning: ${w}`);
      show(inst, opts.json, summary);
    });

  withSelectors(
    program
      .command('start [names...]')
      .description(
        'start an instance (asks about taken ports on a terminal), or several: names, --template, --label, --all',
      ),
  )
    .option('-y, --yes', 'accept suggested ports on a conflict (one instance)')
    .option('--json', 'print JSON')
    .action(async (names: string[], opts, cmd: Command) => {
      if (isBulk(names, opts)) return runBulkCommand(cmd, 'start', names, { ...opts, yes: false });
      show(await startResolving(clientOf(cmd), names[0] ?? '', opts.yes), opts.json, summary);
    });

  for (const [action, verb] of [
    ['stop', 'Stopping'],
    ['restart', 'Restarting'],
    ['kill', 'Killing'],
  ] as const) {
    withSelectors(
      program
        .command(`${action} [names...]`)
        .description(`${action} an instance, or several: names, --template, --label, --all`),
    )
      .option('--json', 'print JSON')
      .action(async (names: string[], opts, cmd: Command) => {
        if (isBulk(names, opts)) return runBulkCommand(cmd, action, names, opts);
        const name = names[0] ?? '';
        const api = clientOf(cmd);
        const inst = await withProgress(
          `${verb} ${name}…`,
          api.post<InstanceView>(`/instances/${enc(name)}/${action}`, undefined, { wait: 1 }),
        );
        show(inst, opts.json, summary);
      });
  }

  program
    .command('scale <name> <replicas>')
    .description(
      'set how many replicas an instance runs, and scale it if it runs (swarm, kubernetes, and compose templates whose scaled service publishes no host port)',
    )
    .option('--json', 'print JSON')
    .action(async (name: string, raw: string, opts, cmd: Command) => {
      const replicas = replicasArg(raw, 'replicas');
      const inst = await withProgress(
        `Scaling ${name} to ${replicas}…`,
        clientOf(cmd).post<InstanceView>(`/instances/${enc(name)}/scale`, { replicas }, { wait: 1 }),
      );
      show(inst, opts.json, details);
    });

  program
    .command('inspect <name>')
    .alias('show')
    .description('show one instance: status, ports, links and each replica (node, state, host ports, reason)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      show(await clientOf(cmd).get<InstanceView>(`/instances/${enc(name)}`), opts.json, details);
    });

  const rm = program
    .command('rm [names...]')
    .alias('remove')
    .description(
      'stop and remove an instance, its ports and its data directory; several (names, --template, --label, --all) ask first on a terminal',
    )
    .option('--volumes', "also remove the instance's volumes (one instance)")
    .option(
      '--keep-data',
      "keep its data (the data directory; a cluster's data volume or claim; one instance)",
    )
    .option('-y, --yes', 'remove several without asking')
    .option('--json', 'print JSON (several)');
  withSelectors(rm).action(async (names: string[], opts, cmd: Command) => {
    if (isBulk(names, opts)) {
      if (opts.volumes || opts.keepData)
        throw new CliError('invalid', '--volumes and --keep-data apply to one instance at a time');
      return runBulkCommand(cmd, 'rm', names, opts);
    }
    const name = names[0] ?? '';
    const query = { ...(opts.volumes ? { volumes: 1 } : {}), ...(opts.keepData ? { keepData: 1 } : {}) };
    await withProgress(`Removing ${name}…`, clientOf(cmd).delete(`/instances/${enc(name)}`, query));
    out(`removed ${name}`);
  });

  program
    .command('preflight <name>')
    .description("check an instance's ports before starting it")
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const result = await clientOf(cmd).get<PreflightResultView>(`/instances/${enc(name)}/preflight`);
      show(result, opts.json, (r) =>
        r.portConflicts.length === 0
          ? `${name}: every port is free`
          : `${describeConflicts(r.portConflicts)}\n${r.canStart ? 'can start (berth re-chooses ports it picked)' : 'cannot start: a pinned port is taken'}`,
      );
      // Scripts can gate a start on the answer: the conflict code, as `start` would exit with.
      if (!result.canStart) process.exitCode = EXIT_CODES.conflict;
    });
}
