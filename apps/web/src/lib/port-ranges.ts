import type { PortInventoryRow } from '../api/types';

/** Consecutive ports of one protocol reserved with the same note, shown and released together. */
export interface ReservedRange {
  protocol: 'tcp' | 'udp';
  from: number;
  to: number;
  note: string;
}

/** The note inside the inventory's owner text, `reserved by hand (<note>)`. */
function noteOf(owner: string): string {
  const note = /^reserved by hand \((.*)\)$/s.exec(owner)?.[1] ?? owner;
  return note === 'reserved by hand' ? '' : note;
}

/** The inventory's hand-made reservations as ranges. */
export function reservedRanges(rows: readonly PortInventoryRow[]): ReservedRange[] {
  const reserved = rows
    .filter((r) => r.ownerKind === 'reservation')
    .sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
  const out: ReservedRange[] = [];
  for (const r of reserved) {
    const last = out.at(-1);
    const note = noteOf(r.owner);
    if (last && last.protocol === r.protocol && last.note === note && last.to + 1 === r.port)
      last.to = r.port;
    else out.push({ protocol: r.protocol, from: r.port, to: r.port, note });
  }
  return out;
}

/** `18000` or `18000–18009`. */
export function rangeText(r: Pick<ReservedRange, 'from' | 'to'>): string {
  return r.from === r.to ? String(r.from) : `${r.from}–${r.to}`;
}
