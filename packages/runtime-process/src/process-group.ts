import { isDead, readProcessTable, readProcStat } from '@berth/host';

/** Sends a signal to every process of a group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false; // never signal "every process"
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Whether any live (non-zombie) process is left in the group. */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  const leader = await readProcStat(pgid);
  if (leader && leader.pgid === pgid && !isDead(leader)) return true;
  // kill(0) also succeeds for zombies nobody has reaped yet; those no longer run.
  const table = await readProcessTable();
  return table.some((s) => s.pgid === pgid && !isDead(s));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls (10 ms, backing off to 100 ms) until the group is gone; false when `timeoutMs` ran out. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  while (await groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(100, delay * 2);
  }
  return true;
}

/** TERM to the group, KILL after `timeoutMs`; resolves when no process of the group is left. */
export async function stopGroup(pgid: number, timeoutMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  if (await waitGroupGone(pgid, timeoutMs)) return;
  await killGroup(pgid);
}

/** KILL to the group; resolves when no process of the group is left (or after 10 s). */
export async function killGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGKILL')) return;
  await waitGroupGone(pgid, 10_000);
}
