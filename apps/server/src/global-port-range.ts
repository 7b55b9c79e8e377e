import { defaultLedgerConfig, InvalidInput, type ReservedRange } from '@berth/core';

/** The range berth leases from when a template's own range is full or absent, and why it is that. */
export interface GlobalPortRange {
  range: [number, number];
  /** One sentence for `berth ports` and the start-up log. */
  why: string;
  /** True when the range overlaps the kernel's ephemeral range (a warning is logged at start). */
  overlapsEphemeral: boolean;
}

/** The file the kernel's ephemeral range is read from (Linux). */
export const EPHEMERAL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';

/** Fewer free ports than this beside the ephemeral range is no room: the configured range is kept. */
export const MIN_ROOM = 1000;

/** `32768\t60999` as the kernel writes it; undefined when unreadable or malformed. */
export function parseEphemeralRange(text: string | undefined): [number, number] | undefined {
  const m = /^\s*(\d{1,5})\s+(\d{1,5})\s*$/.exec(text ?? '');
  if (!m) return undefined;
  const [from, to] = [Number(m[1]), Number(m[2])];
  return from >= 1 && to <= 65535 && from <= to ? [from, to] : undefined;
}

/** BERTH_PORT_RANGE=`20000-32767`; undefined when unset. */
export function parsePortRangeSetting(name: string, raw: string | undefined): [number, number] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(raw.trim());
  const [from, to] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || from < 1 || to > 65535 || from > to) {
    throw new InvalidInput(`${name} must look like 20000-32767, got '${raw}'`, { details: { field: name } });
  }
  return [from, to];
}

const show = ([from, to]: [number, number]) => `${from}–${to}`;
const size = ([from, to]: [number, number]) => to - from + 1;
const overlaps = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];

/**
 * The global range: an explicit setting wins; otherwise berth's default (20000–40000) without the
 * kernel's ephemeral range, where outgoing connections take their local ports — a port berth chose
 * could be taken by one before the instance binds it. The default shrinks to the larger part left
 * beside the ephemeral range; when that is under MIN_ROOM ports, the ports above the ephemeral
 * range are used if there are enough; else the default is kept and the overlap said.
 */
export function globalPortRange(
  configured: [number, number] | undefined,
  ephemeral: [number, number] | undefined,
): GlobalPortRange {
  const kernel = ephemeral && `the kernel's ephemeral range ${show(ephemeral)} (${EPHEMERAL_RANGE_FILE})`;
  if (configured) {
    const overlap = !!ephemeral && overlaps(configured, ephemeral);
    const tail = overlap ? `; it overlaps ${kernel}, so an outgoing connection may take a chosen port` : '';
    return { range: configured, why: `set by BERTH_PORT_RANGE${tail}`, overlapsEphemeral: overlap };
  }
  const base = defaultLedgerConfig.globalRange;
  if (!ephemeral)
    return { range: base, why: `the default (${EPHEMERAL_RANGE_FILE} not read)`, overlapsEphemeral: false };
  if (!overlaps(base, ephemeral))
    return { range: base, why: `the default, outside ${kernel}`, overlapsEphemeral: false };
  const below: [number, number] = [base[0], Math.min(base[1], ephemeral[0] - 1)];
  const after: [number, number] = [Math.max(base[0], ephemeral[1] + 1), base[1]];
  const inside = [below, after].filter((r) => size(r) >= MIN_ROOM).sort((a, b) => size(b) - size(a))[0];
  if (inside) {
    const where = inside === below ? 'below' : 'above';
    return {
      range: inside,
      why: `the default ${show(base)} cut to end ${where} ${kernel}`,
      overlapsEphemeral: false,
    };
  }
  const above: [number, number] = [ephemeral[1] + 1, Math.min(65535, ephemeral[1] + size(base))];
  if (size(above) >= MIN_ROOM) {
    return {
      range: above,
      why: `above ${kernel}, which covers the default ${show(base)}`,
      overlapsEphemeral: false,
    };
  }
  return {
    range: base,
    why: `the default; ${kernel} leaves no room beside it, so an outgoing connection may take a chosen port (set BERTH_PORT_RANGE or narrow the kernel's range)`,
    overlapsEphemeral: true,
  };
}

/** BERTH_RESERVED_PORTS=`8000-8099,9000`: ranges (or single ports) berth never leases; [] when unset. */
export function parseReservedPorts(name: string, raw: string | undefined): ReservedRange[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const text = part.trim();
    const range = parsePortRangeSetting(name, /^\d{1,5}$/.test(text) ? `${text}-${text}` : text);
    if (!range)
      throw new InvalidInput(`${name} has an empty entry in '${raw}'`, { details: { field: name } });
    return { from: range[0], to: range[1], reason: `reserved by ${name}` };
  });
}
