import { join } from 'node:path';
import { CliError } from '../cli-error.js';

export type UnitScope = 'user' | 'system';
export type ShutdownPolicy = 'leave' | 'stop' | 'stop-and-remove';

export interface UnitOptions {
  scope: UnitScope;
  /** The Node binary and the CLI's main script, both absolute: systemd does not search PATH. */
  node: string;
  main: string;
  home: string;
  shutdown: ShutdownPolicy;
  /** The PATH the instances' commands are looked up in (systemd's own is minimal). */
  path: string;
  /** For a system unit run by someone other than root: the account berth runs as. */
  user?: string | undefined;
}

export const UNIT_NAME = 'berth.service';
/** The first line of every unit berth writes: `berth unstartup` removes only a file that has it. */
export const UNIT_MARK = '# Written by `berth startup`; `berth unstartup` removes it.';

/** Where the unit goes: the user's systemd folder or the system's, unless a folder is given. */
export function unitFile(scope: UnitScope, configHome: string, unitDir?: string): string {
  const dir = unitDir ?? (scope === 'user' ? join(configHome, 'systemd', 'user') : '/etc/systemd/system');
  return join(dir, UNIT_NAME);
}

/**
 * A unit running `berth serve` with BERTH_HOME and the shutdown policy. `leave` keeps instances
 * running when berth stops (they are adopted at its next start), so systemd must signal only
 * berth's own process, not the whole control group its instances were started in; `stop` (and
 * `stop-and-remove`) lets berth stop them itself, with time for that, and then cleans up what is left.
 */
export function systemdUnit(o: UnitOptions): string {
  const system = o.scope === 'system';
  const kill =
    o.shutdown === 'leave'
      ? ['# instances keep running when berth stops; its next start adopts them', 'KillMode=process']
      : ['# berth stops every instance itself before it exits', 'KillMode=mixed', 'TimeoutStopSec=180'];
  return [
    UNIT_MARK,
    '[Unit]',
    'Description=berth: many instances of any service, each in its own berth',
    ...(system ? ['Wants=network-online.target', 'After=network-online.target docker.service'] : []),
    '',
    '[Service]',
    'Type=simple',
    ...(system && o.user ? [`User=${o.user}`] : []),
    `Environment=${quote(`BERTH_HOME=${o.home}`)}`,
    `Environment=${quote(`BERTH_SHUTDOWN=${o.shutdown}`)}`,
    `Environment=${quote(`PATH=${o.path}`)}`,
    `ExecStart=${[o.node, o.main, 'serve'].map((w) => quote(w, true)).join(' ')}`,
    ...kill,
    'Restart=on-failure',
    'RestartSec=2',
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

/** The commands that make systemd use the unit (berth does not run them: they need a live systemd). */
export function enableCommands(scope: UnitScope, user: string): string[] {
  const ctl = scope === 'user' ? 'systemctl --user' : 'systemctl';
  return [
    `${ctl} daemon-reload`,
    `${ctl} enable --now ${UNIT_NAME}`,
    // A user's services start at boot, not at their first login, only with lingering on.
    ...(scope === 'user' ? [`loginctl enable-linger ${user}`] : []),
  ];
}

export function disableCommands(scope: UnitScope): string[] {
  const ctl = scope === 'user' ? 'systemctl --user' : 'systemctl';
  return [`${ctl} disable --now ${UNIT_NAME}`, `${ctl} daemon-reload`];
}

/**
 * One word of a unit file: `%` is a specifier everywhere and `$` a variable in ExecStart, so they
 * are doubled; a word with spaces, quotes or backslashes is double-quoted with C-style escapes.
 */
function quote(word: string, exec = false): string {
  // A newline would end the setting and start another (an ExecStartPre=, a User=) in the unit.
  if (/[\x00-\x1f\x7f]/.test(word)) {
    throw new CliError(
      'invalid',
      `a unit file value cannot hold control characters (a newline…): ${JSON.stringify(word)}`,
    );
  }
  const specifiers = word.replaceAll('%', '%%');
  const plain = exec ? specifiers.replaceAll('$', '$$$$') : specifiers;
  if (!/[\s"'\\]/.test(plain)) return plain;
  return `"${plain.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
