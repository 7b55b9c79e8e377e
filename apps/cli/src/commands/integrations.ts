import type { ConnectionTestResult, IntegrationView, ScanOutcome } from '@berth/contracts';
import type { Command } from 'commander';
import type { ApiBody } from '../api-paths.js';
import { clientOf, out, show } from '../cli-context.js';
import { integrationCredentials } from '../client-options.js';
import { formatTable } from '../table.js';

const when = (ms: number | null) =>
  ms === null ? 'never' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const path = <A extends string = ''>(name: string, action = '' as A) =>
  `/integrations/${encodeURIComponent(name)}${action}` as const;

export function registerIntegrationCommands(program: Command): void {
  const integration = program
    .command('integration')
    .alias('integrations')
    .description('Docker, Portainer and Komodo endpoints whose containers hold ports');
  registerList(integration);
  registerAdd(integration);
  registerTest(integration);
  registerScan(integration);
  integration
    .command('rotate-key')
    .description("make a new secrets key and re-seal every integration's and instance's secrets with it")
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const r = await clientOf(cmd).post<{ keyId: string; resealed: number; resealedInstances: number }>(
        '/integrations/rotate-key',
      );
      show(
        r,
        opts.json,
        (v) =>
          `new key ${v.keyId}; re-sealed ${v.resealed} integrations and ${v.resealedInstances} instances' secrets`,
      );
    });
  integration
    .command('rm <name>')
    .description('delete an integration and its scan results')
    .action(async (name: string, _opts, cmd: Command) => {
      await clientOf(cmd).delete(path(name));
      out(`deleted ${name}`);
    });
}

function registerList(integration: Command): void {
  integration
    .command('ls')
    .alias('list')
    .description('list integrations with their last scan')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<IntegrationView[]>('/integrations');
      show(rows, opts.json, (r) =>
        formatTable(r, [
          { header: 'NAME', value: (i) => i.name },
          { header: 'TYPE', value: (i) => i.type },
          { header: 'ON', value: (i) => (i.enabled ? 'yes' : 'no') },
          { header: 'EVERY', value: (i) => (i.autoDetect ? `${i.scanIntervalSeconds}s` : 'manual') },
          { header: 'LAST SCAN', value: (i) => `${when(i.lastScanAt)} ${i.lastScanStatus ?? ''}`.trim() },
          { header: 'CONTAINERS', value: (i) => i.containerCount },
          { header: 'PORTS', value: (i) => i.portCount },
          { header: 'ERROR', value: (i) => i.lastScanError ?? '' },
        ]),
      );
    });
}

function registerAdd(integration: Command): void {
  integration
    .command('add <type>')
    .description('add a docker, portainer or komodo integration (secrets also from env, see --help)')
    .option('--name <name>', 'name (default: "<Type> <n>")')
    .option('--host <host>', 'docker: unix socket or tcp:// URL')
    .option('--url <url>', 'portainer/komodo: base URL')
    .option('--api-key <key>', 'portainer/komodo API key (or BERTH_INTEGRATION_API_KEY)')
    .option('--api-secret <secret>', 'komodo API secret (or BERTH_INTEGRATION_API_SECRET)')
    .option('--environments <ids>', "portainer: comma-separated environment ids, or 'all'")
    .option('--no-verify-ssl', 'portainer: accept self-signed certificates')
    .option('--timeout <seconds>', 'time limit of one test or scan')
    .option('--interval <seconds>', 'scan every this many seconds (at least 60)')
    .option('--manual', 'scan only when asked (no timer)')
    .option('--disabled', 'add it switched off')
    .option('--json', 'print JSON')
    .action(async (type: string, opts, cmd: Command) => {
      const created = await clientOf(cmd).post<IntegrationView>('/integrations', {
        // The word as typed: the server answers 400 naming `type` when it is no integration type.
        type: type as ApiBody<'post', '/integrations'>['type'],
        ...(opts.name ? { name: opts.name } : {}),
        enabled: !opts.disabled,
        autoDetect: !opts.manual,
        ...(opts.interval ? { scanIntervalSeconds: Number(opts.interval) } : {}),
        config: configOf(type, opts),
      });
      show(created, opts.json, (i) => `added ${i.type} integration '${i.name}' (${i.id})`);
    });
}

function configOf(type: string, opts: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const { apiKey, apiSecret } = integrationCredentials({
    apiKey: typeof opts.apiKey === 'string' ? opts.apiKey : undefined,
    apiSecret: typeof opts.apiSecret === 'string' ? opts.apiSecret : undefined,
  });
  const environments =
    typeof opts.environments === 'string' && opts.environments !== 'all'
      ? opts.environments.split(',').map((s) => Number(s.trim()))
      : undefined;
  return Object.fromEntries(
    Object.entries({
      host: type === 'docker' ? opts.host : undefined,
      url: opts.url,
      apiKey,
      apiSecret: type === 'komodo' ? apiSecret : undefined,
      verifySsl: type === 'portainer' ? opts.verifySsl : undefined,
      environments,
      timeout: opts.timeout === undefined ? undefined : Number(opts.timeout),
    }).filter(([, v]) => v !== undefined),
  );
}

function registerTest(integration: Command): void {
  integration
    .command('test <name>')
    .description('test the connection: version and latency, or why it failed')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const r = await clientOf(cmd).post<ConnectionTestResult>(path(name, '/test'));
      if (!r.ok) process.exitCode = 1;
      show(r, opts.json, (v) =>
        v.ok
          ? `ok: ${v.version ? `version ${v.version}, ` : ''}${v.latencyMs} ms`
          : `failed (${v.reason}): ${v.message}`,
      );
    });
}

function registerScan(integration: Command): void {
  integration
    .command('scan <name>')
    .description('scan now; the containers found count as taken ports')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const r = await clientOf(cmd).post<ScanOutcome>(path(name, '/scan'));
      if (!r.ok) process.exitCode = 1;
      show(r, opts.json, (v) =>
        v.ok
          ? `scanned: ${v.containers} containers, ${v.ports} published ports`
          : `failed (${v.reason}): ${v.message}`,
      );
    });
}
