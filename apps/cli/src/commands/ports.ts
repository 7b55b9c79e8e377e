import type { FreePortsResult, HostInventory, InfoView, PortInventoryRow } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, show } from '../cli-context.js';
import { formatTable } from '../table.js';

export function registerPortCommands(program: Command): void {
  program
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
