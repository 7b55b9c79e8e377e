import type {
  FreePortsResult,
  HostInventory,
  InfoView,
  PortInventoryRow,
  PortSettingsBody,
  PortSettingsView,
} from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, err, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatTable } from '../table.js';

export function registerPortCommands(program: Command): void {
  const ports = program
    .command('ports')
    .description('every taken port on a host, or free ones with --free N')
    .option('--host <host>', 'host (port space) to look at', 'local')
    .option('--free <count>', 'find this many free ports instead')
    .option('--from <port>', 'lowest port for --free')
    .option('--to <port>', 'highest port for --free')
    .option('--all-hosts', 'every host berth knows, with its ports')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const api = clientOf(cmd);
      if (opts.allHosts) return showAllHosts(api, opts.json);
      if (opts.free !== undefined) {
        const free = await api.get<FreePortsResult>('/ports/free', {
          host: opts.host,
          count: opts.free,
          from: opts.from,
          to: opts.to,
        });
        show(free, opts.json, (r) =>
          r.ports.length === 0 ? 'No free ports in that range.' : r.ports.join('\n'),
        );
        return;
      }
      const [rows, info] = await Promise.all([
        api.get<PortInventoryRow[]>('/ports', { host: opts.host }),
        opts.json ? undefined : api.get<InfoView>('/info'),
      ]);
      show(rows, opts.json, (r) =>
        [
          formatTable(r, [
            { header: 'PORT', value: (p) => p.port },
            { header: 'PROTO', value: (p) => p.protocol },
            { header: 'KIND', value: (p) => p.ownerKind },
            { header: 'OWNER', value: (p) => p.owner },
          ]),
          ...(info ? [rangeLine(info.portRange)] : []),
        ].join('\n'),
      );
    });
  registerRangeCommand(ports);
}

/**
 * `berth ports range [from-to]`: the global range and the reserved ranges (admin) — shown, or
 * changed for the next lease (saved by the server, no restart).
 */
function registerRangeCommand(ports: Command): void {
  ports
    .command('range [range]')
    .description(
      "show or set berth's global port range (from-to) and reserved ranges; saved by the server, used by the next lease",
    )
    .option(
      '--reserve <from-to:reason>',
      'a range berth never leases, with why (repeatable; replaces the saved list)',
      collect,
      [],
    )
    .option('--no-reserved', 'no reserved ranges')
    .option('--reset', "back to the environment's or the default ranges")
    .option('--json', 'print JSON')
    .action(async (range: string | undefined, opts, cmd: Command) => {
      const body: PortSettingsBody = {};
      if (range !== undefined) body.globalRange = rangeArg(range, 'range');
      if (opts.reserve.length > 0) body.reserved = opts.reserve.map(reservedArg);
      if (opts.reserved === false) body.reserved = [];
      if (opts.reset) Object.assign(body, { globalRange: null, reserved: null });
      const api = clientOf(cmd);
      const view =
        Object.keys(body).length === 0
          ? await api.get<PortSettingsView>('/settings/ports')
          : await api.put<PortSettingsView>('/settings/ports', body);
      // `ports` has --json too, and commander gives it the flag wherever it is written.
      const json = Boolean(opts.json || cmd.parent?.opts().json);
      if (!json) for (const w of view.warnings) err(`warning: ${w}`);
      show(view, json, rangeSettingsText);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `20000-29999` → { from, to }; the server checks the rest (from < to, inside 1–65535). */
function rangeArg(raw: string, what: string): { from: number; to: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(raw.trim());
  if (!m) throw new CliError('invalid', `${what} must look like 20000-29999, got '${raw}'`);
  return { from: Number(m[1]), to: Number(m[2]) };
}

/** `8000-8099:dev servers` (or a single port, `9000:metrics`). */
function reservedArg(raw: string): { from: number; to: number; reason: string } {
  const at = raw.indexOf(':');
  const [span, reason] = at < 0 ? [raw, ''] : [raw.slice(0, at), raw.slice(at + 1).trim()];
  if (!reason)
    throw new CliError('invalid', `--reserve needs a reason after the range (8000-8099:why), got '${raw}'`);
  const r = rangeArg(/^\d+$/.test(span.trim()) ? `${span}-${span}` : span, '--reserve');
  return { ...r, reason };
}

function rangeSettingsText(v: PortSettingsView): string {
  const reserved = v.reserved.map((r) => `  ${r.from}–${r.to}  ${r.reason}`);
  return [
    `Global range: ${v.globalRange.from}–${v.globalRange.to} (${v.globalSource}): ${v.why}`,
    v.ephemeral
      ? `Kernel's ephemeral range: ${v.ephemeral.from}–${v.ephemeral.to}`
      : "Kernel's ephemeral range: not read",
    reserved.length > 0 ? `Reserved (${v.reservedSource}):\n${reserved.join('\n')}` : 'Reserved: none',
  ].join('\n');
}

/**
 * The lines under `berth ports`: where berth leases from when a template's range is full, and why;
 * and whether leased ports are kept from outgoing connections (BERTH_RESERVE_PORTS).
 */
export function rangeLine(r: InfoView['portRange']): string {
  const kernel = r.reservedInKernel
    ? "Leased ports are in the kernel's reserved ports (BERTH_RESERVE_PORTS=1): no outgoing connection is given one."
    : "Leased ports are not in the kernel's reserved ports: BERTH_RESERVE_PORTS=1 (root) puts them there.";
  return `Ports chosen outside a template's range come from ${r.from}–${r.to}: ${r.why}.\n${kernel}`;
}

/** `berth ports --all-hosts`: one table, a HOST column first. */
async function showAllHosts(api: ReturnType<typeof clientOf>, json: boolean | undefined): Promise<void> {
  const hosts = await api.get<HostInventory[]>('/ports', { allHosts: 1 });
  const rows = hosts.flatMap((h) => h.ports.map((p) => ({ host: h.host, ...p })));
  show(hosts, json, () =>
    formatTable(rows, [
      { header: 'HOST', value: (p) => p.host },
      { header: 'PORT', value: (p) => p.port },
      { header: 'PROTO', value: (p) => p.protocol },
      { header: 'KIND', value: (p) => p.ownerKind },
      { header: 'OWNER', value: (p) => p.owner },
    ]),
  );
}
