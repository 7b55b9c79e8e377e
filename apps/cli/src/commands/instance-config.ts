import type { InstanceView, UpdateInstanceConfigBody } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';

/** `key=value` → value, `key=` → null (back to the default). */
function changes(pairs: string[]): UpdateInstanceConfigBody['config'] {
  const out: UpdateInstanceConfigBody['config'] = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError('invalid', `a config change must look like key=value, got '${pair}'`);
    const value = pair.slice(eq + 1);
    out[pair.slice(0, eq)] = value === '' ? null : value;
  }
  return out;
}

/** All of stdin without its last line break: a secret that never appears in argv or shell history. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const configText = (i: InstanceView) =>
  Object.entries(i.config)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n') || `${i.name} has no config values.`;

export function registerInstanceConfigCommand(program: Command): void {
  program
    .command('config <name> [changes...]')
    .description(
      "show an instance's config (secrets masked), or change it for its next start: key=value, key= for the default",
    )
    .option('--stdin <key>', 'read the value of <key> from stdin (for secrets: kept out of argv and history)')
    .option('--json', 'print JSON')
    .action(async (name: string, pairs: string[], opts, cmd: Command) => {
      const api = clientOf(cmd);
      const path = `/instances/${encodeURIComponent(name)}` as const;
      const config = changes(pairs);
      if (opts.stdin) config[opts.stdin] = await readStdin();
      const inst =
        Object.keys(config).length === 0
          ? await api.get<InstanceView>(path)
          : await api.patch<InstanceView>(`${path}/config`, { config });
      show(inst, opts.json, configText);
    });
}
