import type { Listener, Protocol } from '@berth/core';

/** Splits `addr:port` as ss prints it: `0.0.0.0:80`, `*:80`, `[::]:80`, `127.0.0.53%lo:53`. */
export function splitAddress(text: string): { address: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0) return undefined;
  let address = text.slice(0, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const percent = address.indexOf('%');
  if (percent >= 0) address = address.slice(0, percent);
  return { address, port };
}

/** The first `("name",pid=N,fd=M)` of a `users:(…)` column; pid/name are null when not visible. */
export function parseUsers(text: string | undefined): { pid: number | null; process: string | null } {
  const m = text ? /\("((?:[^"\\]|\\.)*)",pid=(\d+)/.exec(text) : null;
  return m ? { process: m[1] ?? null, pid: Number(m[2]) } : { pid: null, process: null };
}

/** Parses `ss -ltnupH`: `netid state recv-q send-q local peer [users:(…)]`, one socket a line. */
export function parseSsOutput(out: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const protocol = cols[0];
    if (protocol !== 'tcp' && protocol !== 'udp') continue;
    const local = splitAddress(cols[4] ?? '');
    if (!local) continue;
    const users = parseUsers(cols.slice(6).join(' ') || undefined);
    listeners.push({ port: local.port, protocol: protocol as Protocol, address: local.address, ...users });
  }
  return listeners;
}
