import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { err, out } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { startupSettings } from '../client-options.js';
import {
  disableCommands,
  enableCommands,
  type ShutdownPolicy,
  systemdUnit,
  UNIT_MARK,
  type UnitScope,
  unitFile,
} from '../startup/systemd-unit.js';

/** This CLI's own script: what the unit runs, wherever the CLI was installed. */
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const run = promisify(execFile);

/** `berth startup` / `berth unstartup`: a systemd unit that starts `berth serve` at boot (PM2's `startup`). */
export function registerStartupCommands(program: Command): void {
  program
    .command('startup')
    .description('print a systemd unit that runs `berth serve` at boot; --write installs it')
    .option('--user', 'a user unit (~/.config/systemd/user): the default')
    .option('--system', 'a system unit (/etc/systemd/system) instead of a user unit')
    .option('--home <dir>', 'BERTH_HOME of the server it starts (default: BERTH_HOME, else ~/.berth)')
    .option(
      '--shutdown <policy>',
      'on stop: leave instances running, stop them, or stop-and-remove their containers, data kept (default BERTH_SHUTDOWN, else leave)',
    )
    .option('--write', 'write the unit file and print the commands that enable it')
    .option('--unit-dir <dir>', "write it into this folder instead of systemd's")
    .action(async (opts) => {
      const scope: UnitScope = opts.system ? 'system' : 'user';
      const s = startupSettings(opts);
      if (s.shutdown !== 'leave' && s.shutdown !== 'stop' && s.shutdown !== 'stop-and-remove') {
        throw new CliError(
          'invalid',
          `--shutdown must be 'leave', 'stop' or 'stop-and-remove', got '${s.shutdown}'`,
        );
      }
      const user = userInfo().username;
      const unit = systemdUnit({
        scope,
        node: process.execPath,
        main: MAIN,
        home: s.home,
        shutdown: s.shutdown as ShutdownPolicy,
        path: s.path,
        user: process.getuid?.() === 0 ? undefined : user,
      });
      if (!opts.write) return out(unit);
      const file = unitFile(scope, s.configHome, opts.unitDir);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, unit, { mode: 0o644 });
      out(
        `wrote ${file}\nnow run:\n${enableCommands(scope, user)
          .map((c) => `  ${c}`)
          .join('\n')}`,
      );
    });

  program
    .command('unstartup')
    .description('remove the systemd unit `berth startup --write` wrote')
    .option('--system', 'the system unit instead of the user unit')
    .option('--unit-dir <dir>', "the folder it was written into, if not systemd's")
    .action(async (opts) => {
      const scope: UnitScope = opts.system ? 'system' : 'user';
      const file = unitFile(scope, startupSettings({}).configHome, opts.unitDir);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) throw new CliError('not_found', `there is no ${file}`);
      if (!text.startsWith(UNIT_MARK)) {
        throw new CliError('conflict', `${file} was not written by berth startup; left as it is`);
      }
      await disable(scope);
      await rm(file);
      out(`removed ${file}`);
    });
}

/**
 * Stops and disables the unit before its file goes (systemd cannot disable a unit whose file is
 * gone). Only where systemd runs: elsewhere (a container, a chroot) there is nothing to disable.
 */
async function disable(scope: UnitScope): Promise<void> {
  if (!existsSync('/run/systemd/system')) return;
  for (const line of disableCommands(scope)) {
    const [bin = 'systemctl', ...args] = line.split(' ');
    await run(bin, args).catch((e: Error) => err(`could not run ${line}: ${e.message}`));
  }
}
