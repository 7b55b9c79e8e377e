import type { DeploymentView, EditInstanceBody, InstanceView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatTime } from '../format-units.js';
import { withProgress } from '../progress.js';
import { formatTable } from '../table.js';
import { details, keyValues } from './instances.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const enc = encodeURIComponent;

/** `key=value` pairs of one flag; `key=` clears the key (back to the template's). */
function changes(pairs: string[], what: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(keyValues(pairs, what))) out[k] = v === '' ? null : v;
  return out;
}

function pins(pairs: string[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, raw] of Object.entries(changes(pairs, '--port'))) {
    const port = raw === null ? null : Number(raw);
    if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new CliError('invalid', `--port ${name}=${raw}: the port must be a number between 1 and 65535`);
    }
    out[name] = port;
  }
  return out;
}

function replicas(raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError('invalid', `--replicas must be a whole number from 1 (or "default"), got '${raw}'`);
  return n;
}

interface EditFlags {
  config: string[];
  env: string[];
  port: string[];
  replicas?: string;
  node?: string;
  label?: string[];
  version?: string;
}

/** The PATCH body from the flags: only what was given. */
export function editBody(o: EditFlags): EditInstanceBody {
  const body: EditInstanceBody = {};
  // Config values go as text: the server checks each against the template's type, naming the field.
  if (o.config.length) body.config = changes(o.config, '--config');
  if (o.env.length) body.env = changes(o.env, '--env');
  if (o.port.length) body.ports = pins(o.port);
  const count = replicas(o.replicas);
  if (count !== undefined) body.replicas = count;
  if (o.node) body.node = o.node;
  if (o.version !== undefined) body.version = o.version === '' ? null : o.version;
  if (o.label?.length) body.labels = changes(o.label, '--label');
  if (Object.keys(body).length === 0)
    throw new CliError(
      'invalid',
      'nothing to change: give --config, --env, --port, --replicas, --node, --version or --label',
    );
  return body;
}

const specText = (d: DeploymentView) => {
  if (!d.spec) return '(not recorded)';
  const config = Object.entries(d.spec.config).map(([k, v]) => `${k}=${String(v)}`);
  const env = Object.keys(d.spec.env).map((k) => `$${k}`);
  return [...config, ...env, d.spec.version ?? d.spec.image ?? ''].filter(Boolean).join(' ') || '-';
};

function historyTable(rows: DeploymentView[]): string {
  return formatTable(rows, [
    { header: 'DEPLOYMENT', value: (d) => d.id },
    { header: 'CREATED', value: (d) => formatTime(d.createdAt) },
    { header: 'STATUS', value: (d) => d.status },
    { header: 'NODE', value: (d) => d.node },
    { header: 'REPLICAS', value: (d) => d.spec?.replicas ?? '' },
    {
      header: 'PORTS',
      value: (d) =>
        Object.entries(d.ports)
          .map(([n, p]) => `${n}:${p}`)
          .join(','),
    },
    { header: 'SPEC', value: specText },
  ]);
}

export function registerInstanceEditCommands(program: Command): void {
  program
    .command('edit <name>')
    .description(
      "change an instance's stored spec (checked against its template); a running instance shows " +
        '"changes not applied" until `berth apply` (or --apply). key= clears a value',
    )
    .option('--config <key=value>', 'a config value (repeatable)', collect, [])
    .option('--env <NAME=value>', 'an environment variable added to the template’s (repeatable)', collect, [])
    .option('--port <name=port>', 'pin a port (repeatable; name= unpins)', collect, [])
    .option('--replicas <n>', 'how many replicas to run ("default": the template’s)')
    .option('--node <node>', 'move to another node (its data directory does not move)')
    .option('--version <version>', "run another of the template's versions (--version= : none)")
    .option('--label <key=value>', 'set a label (repeatable; key= removes it)', collect, [])
    .option('--apply', 'redeploy a running instance with the change now')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const body = editBody(opts);
      const query = opts.apply ? { apply: 1, wait: 1 } : {};
      const api = clientOf(cmd);
      const inst = await withProgress(
        `Editing ${name}…`,
        api.patch<InstanceView>(`/instances/${enc(name)}`, body, query),
      );
      show(inst, opts.json, details);
    });

  program
    .command('apply <name>')
    .description('redeploy a running instance with its stored spec when it differs from what runs')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const api = clientOf(cmd);
      const inst = await withProgress(
        `Applying the changes of ${name}…`,
        api.post<InstanceView>(`/instances/${enc(name)}/apply`, undefined, { wait: 1 }),
      );
      show(inst, opts.json, details);
    });

  program
    .command('rollback <name> [deployment]')
    .description(
      'run an earlier deployment’s spec again (default: the newest that differs from what runs); see `berth history`',
    )
    .option('--json', 'print JSON')
    .action(async (name: string, deployment: string | undefined, opts, cmd: Command) => {
      const api = clientOf(cmd);
      const inst = await withProgress(
        `Rolling ${name} back…`,
        api.post<InstanceView>(`/instances/${enc(name)}/rollback`, deployment ? { deployment } : {}, {
          wait: 1,
        }),
      );
      show(inst, opts.json, details);
    });

  program
    .command('history <name>')
    .alias('deployments')
    .description('the deployments of an instance, newest first, with the spec each ran (secrets masked)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<DeploymentView[]>(`/instances/${enc(name)}/deployments`);
      show(rows, opts.json, historyTable);
    });
}
