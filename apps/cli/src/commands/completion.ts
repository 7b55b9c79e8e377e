import type { Command } from 'commander';
import { clientOf, out } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { candidates, type NameSource } from '../completion/candidates.js';
import { SHELL_SCRIPTS, type Shell } from '../completion/shell-scripts.js';

/** How long a completion waits for the server before offering no names (a shell must not hang). */
const NAMES_TIMEOUT_MS = 3000;

/** `berth completion bash|zsh` prints the script; the shells call the hidden `berth __complete`. */
export function registerCompletionCommands(program: Command): void {
  program
    .command('completion <shell>')
    .description('print shell completion for bash or zsh: source <(berth completion bash)')
    .action((shell: string) => {
      if (!(shell in SHELL_SCRIPTS)) {
        throw new CliError('invalid', `completion is for bash or zsh, not '${shell}'`);
      }
      out(SHELL_SCRIPTS[shell as Shell]);
    });

  program
    .command('__complete <index> [words...]', { hidden: true })
    .description('the candidates for words[index] (used by the completion scripts)')
    .action(async (index: string, words: string[] = [], _opts, cmd: Command) => {
      const found = await candidates(program, words, Number(index), namesFrom(cmd));
      if (found.length > 0) out(found.join('\n'));
    });
}

function namesFrom(cmd: Command): NameSource {
  const api = clientOf(cmd);
  return async (kind) => {
    // Templates come as `{ template: { name } }`, the rest as `{ name }`.
    type Row = { name?: string; template?: { name: string } };
    const list = api
      .get<Row[]>(`/${kind}`)
      .then((rows) => rows.flatMap((r) => r.name ?? r.template?.name ?? []));
    const late = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), NAMES_TIMEOUT_MS).unref());
    return Promise.race([list.catch(() => []), late]);
  };
}
