import type { Command, Option } from 'commander';

/** The names a word may be, fetched from the server: empty when it cannot be reached. */
export type NameSource = (kind: 'instances' | 'templates' | 'nodes' | 'integrations') => Promise<string[]>;

/**
 * What may stand at `words[index]` of a `berth …` line: the subcommands and flags of the command
 * the line has reached, or the names its argument takes (instances, templates, nodes). `words[0]`
 * is `berth` itself.
 */
export async function candidates(program: Command, words: string[], index: number, names: NameSource) {
  const current = words[index] ?? '';
  let cmd = program;
  const path: string[] = [];
  let positionals = 0;
  let pendingOption: Option | undefined;
  for (const word of words.slice(1, index)) {
    if (pendingOption) {
      pendingOption = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      const opt = cmd.options.find((o) => o.long === word || o.short === word);
      if (opt && (opt.required || opt.optional) && !word.includes('=')) pendingOption = opt;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub && positionals === 0) {
      cmd = sub;
      path.push(word);
    } else positionals++;
  }
  const all = pendingOption
    ? await optionValues(pendingOption, names)
    : current.startsWith('-')
      ? cmd.options.flatMap((o) => (o.hidden || !o.long ? [] : [o.long]))
      : await wordsAt(cmd, path, positionals, names);
  return all.filter((c) => SHELL_SAFE.test(c) && c.startsWith(current)).sort();
}

/**
 * A candidate goes into the command line as it is (bash inserts COMPREPLY words unquoted): a name
 * the server sends with a shell character in it (`;`, `$`, a space…) is left out, never offered.
 */
const SHELL_SAFE = /^[A-Za-z0-9._:@/+=,-]+$/;

async function optionValues(opt: Option, names: NameSource): Promise<string[]> {
  if (opt.long === '--node') return names('nodes');
  if (opt.long === '--template') return names('templates');
  return opt.argChoices ?? [];
}

async function wordsAt(cmd: Command, path: string[], positionals: number, names: NameSource) {
  const subs = cmd.commands.filter((c) => !(c as { _hidden?: boolean })._hidden).map((c) => c.name());
  if (subs.length > 0 && positionals === 0) return subs;
  const arg = cmd.registeredArguments[Math.min(positionals, cmd.registeredArguments.length - 1)];
  if (!arg || (positionals >= cmd.registeredArguments.length && !arg.variadic)) return [];
  const kind = nameKind(path, arg.name());
  return kind ? names(kind) : (arg.argChoices ?? []);
}

/** Which names an argument takes: by its own name, else by the group its command is in. */
function nameKind(path: string[], arg: string): Parameters<NameSource>[0] | undefined {
  if (arg === 'template') return 'templates';
  if (arg === 'node') return 'nodes';
  // `names...`: the commands that act on one instance or several (stop, start, restart, kill, rm).
  if (arg !== 'name' && arg !== 'names') return undefined;
  const group = path[0];
  if (group === 'node') return 'nodes';
  if (group === 'templates') return 'templates';
  if (group === 'integration') return 'integrations';
  return 'instances';
}
