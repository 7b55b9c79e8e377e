import type { PortConflictView } from '@berth/contracts';
import { CliError, isPortConflict } from './cli-error.js';
import { formatTable } from './table.js';

export interface ConflictFlowOptions {
  /** Accept every suggested port without asking. */
  yes: boolean;
  /** Whether a person can be asked. */
  interactive: boolean;
  ask: (question: string) => Promise<string>;
  /** Where the conflict list goes when nobody can be asked. */
  report: (text: string) => void;
}

const MAX_ROUNDS = 5;

export function describeConflicts(conflicts: PortConflictView[]): string {
  return formatTable(conflicts, [
    { header: 'PORT NAME', value: (c) => c.name },
    { header: 'PORT', value: (c) => c.port },
    { header: 'USED BY', value: (c) => c.usedBy },
    { header: 'SUGGESTED', value: (c) => c.suggestedPort },
  ]);
}

/** "Port 18000 is in use by X. Use 18001? [Y/n]" until the answer is yes, no or a port number. */
export async function choosePort(c: PortConflictView, opts: ConflictFlowOptions): Promise<number> {
  if (opts.yes) {
    if (c.suggestedPort === null) throw new CliError('conflict', `no free port to suggest for '${c.name}'`);
    return c.suggestedPort;
  }
  for (;;) {
    const offer = c.suggestedPort === null ? 'Port to use instead?' : `Use ${c.suggestedPort}? [Y/n]`;
    const answer = (await opts.ask(`Port ${c.port} is in use by ${c.usedBy}. ${offer} `)).toLowerCase();
    if (/^\d+$/.test(answer)) return Number(answer);
    if (c.suggestedPort !== null && (answer === '' || answer === 'y' || answer === 'yes'))
      return c.suggestedPort;
    if (answer === 'n' || answer === 'no')
      throw new CliError('conflict', `port ${c.port} (${c.name}) is still taken`);
  }
}

/**
 * Runs `attempt`; on a port conflict, asks (or takes the suggestions with --yes), applies each
 * chosen port with `apply`, and tries again. Without a terminal it prints the conflicts and fails.
 */
export async function resolvingConflicts<T>(
  attempt: () => Promise<T>,
  apply: (conflict: PortConflictView, port: number) => Promise<void>,
  opts: ConflictFlowOptions,
): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isPortConflict(err) || round >= MAX_ROUNDS) throw err;
      if (!opts.yes && !opts.interactive) {
        opts.report(describeConflicts(err.portConflicts));
        throw err;
      }
      await applyChoices(err.portConflicts, apply, opts);
    }
  }
}

async function applyChoices(
  conflicts: PortConflictView[],
  apply: (conflict: PortConflictView, port: number) => Promise<void>,
  opts: ConflictFlowOptions,
): Promise<void> {
  for (const c of conflicts) {
    for (let round = 0; ; round++) {
      const port = await choosePort(c, opts);
      try {
        await apply(c, port);
        break;
      } catch (err) {
        const next = isPortConflict(err) ? err.portConflicts[0] : undefined;
        if (!next || round >= MAX_ROUNDS || opts.yes) throw err;
        Object.assign(c, { port: next.port, usedBy: next.usedBy, suggestedPort: next.suggestedPort });
      }
    }
  }
}
