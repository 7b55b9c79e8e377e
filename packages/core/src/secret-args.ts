import { InvalidInput } from './errors.js';
import type { DeploySpec } from './runtime.js';

/**
 * Refuses a spec whose argv carries a secret config value, for runtimes that keep secrets out of
 * what the cluster shows (a Swarm service's spec, a Deployment): there an argument is as public as
 * `docker service inspect` or `kubectl get -o yaml`. The workload reads the value from its
 * environment instead (`$NAME` in a shell command). A value counts where it stands as a whole: an
 * argument, a word of a shell command, or what follows `=` (`--key=VALUE`) — never inside another
 * word, so a secret `x` does not refuse `nginx`.
 */
export function assertNoSecretInArgs(
  spec: Pick<DeploySpec, 'env' | 'secretEnv'>,
  argv: readonly string[],
  where: string,
) {
  const leaked = (spec.secretEnv ?? []).filter((name) => {
    const value = spec.env[name];
    // An export's `${NAME}` placeholder stands in for the value: it is no secret.
    if (value === undefined || value === '' || value === `\${${name}}`) return false;
    return argv.some((a) => standsIn(a, value));
  });
  if (leaked.length === 0) return;
  throw new InvalidInput(
    `secret config value${leaked.length === 1 ? '' : 's'} ${leaked.join(', ')} would appear in the command's arguments, which ${where} shows to anyone who can read it; read ${leaked.map((n) => `$${n}`).join(', ')} from the environment instead (e.g. sh -c '... "$${leaked[0]}"')`,
    { details: { field: 'args', secrets: leaked } },
  );
}

/** Before a value: the start, a space, a quote or `=`; after it: the end, a space, a quote or `;`. */
const BEFORE = /[\s'"=]/;
const AFTER = /[\s'";]/;

function standsIn(arg: string, value: string): boolean {
  for (let at = arg.indexOf(value); at !== -1; at = arg.indexOf(value, at + 1)) {
    const before = at === 0 || BEFORE.test(arg[at - 1]!);
    const end = at + value.length;
    if (before && (end === arg.length || AFTER.test(arg[end]!))) return true;
  }
  return false;
}
