import { EXPORT_FORMATS } from '@berth/core';
import { type Command, Option } from 'commander';
import { clientOf, out } from '../cli-context.js';
import { CliError } from '../cli-error.js';

const enc = encodeURIComponent;

/**
 * `berth export <instance|template> --format compose|swarm|kubernetes [--node N]`: prints the YAML
 * berth would apply, for taking an instance to GitOps. A name that is no instance is looked up as
 * a template (a new instance of it, on its preferred ports). No secret value is ever printed.
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export <name>')
    .description(
      'print the YAML berth would apply for an instance or a template: compose, a swarm stack or Kubernetes objects',
    )
    .addOption(
      new Option('--format <format>', 'what to print').choices([...EXPORT_FORMATS]).makeOptionMandatory(),
    )
    .option(
      '--node <node>',
      "use this node's settings (namespace, publish mode); default: the instance's node",
    )
    .action(async (name: string, opts: { format: string; node?: string }, cmd: Command) => {
      const api = clientOf(cmd);
      const query = { format: opts.format, node: opts.node };
      try {
        out(await api.getText(`/instances/${enc(name)}/manifest`, query));
      } catch (e) {
        if (!(e instanceof CliError) || e.code !== 'NOT_FOUND' || e.details.what !== 'instance') throw e;
        out(await api.getText(`/templates/${enc(name)}/manifest`, query));
      }
    });
}
