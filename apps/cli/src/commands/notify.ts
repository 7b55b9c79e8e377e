import {
  NOTIFICATION_RULES,
  type NotificationChannelView,
  type NotificationTestResult,
} from '@berth/contracts';
import type { Command } from 'commander';
import type { ApiBody } from '../api-paths.js';
import { clientOf, out, show } from '../cli-context.js';
import { notifyCredentials } from '../client-options.js';
import { formatTable } from '../table.js';

const when = (ms: number | null) =>
  ms === null ? 'never' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const path = <A extends string = ''>(name: string, action = '' as A) =>
  `/notifications/channels/${encodeURIComponent(name)}${action}` as const;

/** `berth notify`: channels told of crash loops, unhealthy instances, nodes, builds and port conflicts. */
export function registerNotifyCommands(program: Command): void {
  const notify = program
    .command('notify')
    .description('notification channels: webhook, slack, discord and email (SMTP)');
  notify
    .command('channels')
    .alias('ls')
    .description('list channels with their last delivery and last error (secrets masked)')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<NotificationChannelView[]>('/notifications/channels');
      show(rows, opts.json, (r) =>
        formatTable(r, [
          { header: 'NAME', value: (c) => c.name },
          { header: 'KIND', value: (c) => c.kind },
          { header: 'TARGET', value: (c) => c.target },
          { header: 'RULES', value: (c) => rulesOf(c) },
          { header: 'LAST DELIVERY', value: (c) => when(c.lastDeliveryAt) },
          { header: 'PENDING', value: (c) => c.pending },
          { header: 'ERROR', value: (c) => c.lastError ?? '' },
        ]),
      );
    });
  registerAdd(notify);
  notify
    .command('rm <name>')
    .description('remove a channel (messages waiting for it are dropped)')
    .action(async (name: string, _opts, cmd: Command) => {
      await clientOf(cmd).delete(path(name));
      out(`removed ${name}`);
    });
  notify
    .command('test <name>')
    .description('send a test message; `berth notify channels` shows how it went')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const r = await clientOf(cmd).post<NotificationTestResult>(path(name, '/test'));
      show(r, opts.json, () => `test queued for ${name}; see its last delivery in 'berth notify channels'`);
    });
}

function rulesOf(c: NotificationChannelView): string {
  const on = Object.entries(c.rules).filter(([, v]) => v === true);
  return on.map(([k]) => k).join(',') || 'none';
}

function registerAdd(notify: Command): void {
  notify
    .command('add <name> <kind>')
    .description('add a webhook, slack, discord or email channel')
    .option('--url <url>', 'webhook/slack/discord: the webhook URL (or BERTH_NOTIFY_URL)')
    .option('--smtp-host <host>', 'email: SMTP host')
    .option('--smtp-port <port>', 'email: SMTP port (default 587)')
    .option('--smtp-secure', 'email: TLS from the first byte (port 465)')
    .option('--smtp-user <user>', 'email: SMTP user name')
    .option('--smtp-password <password>', 'email: SMTP password (or BERTH_SMTP_PASSWORD)')
    .option('--from <address>', 'email: sender address')
    .option('--to <addresses>', 'email: comma-separated recipients')
    .option('--no-crash-loop', 'not told of crashes and give-ups')
    .option('--no-unhealthy', 'not told of instances turning unhealthy')
    .option('--no-node-unreachable', 'not told of nodes turning unreachable (or back)')
    .option('--no-build-failed', 'not told of failed builds')
    .option('--no-build-succeeded', 'not told of builds that succeeded')
    .option('--no-port-conflict', 'not told of starts stopped by a taken port, or ports moved')
    .option('--json', 'print JSON')
    .action(async (name: string, kind: string, opts, cmd: Command) => {
      const body = {
        name,
        // The word as typed: the server answers 400 naming `kind` when it is no channel kind.
        kind,
        config: configOf(kind, opts),
        rules: Object.fromEntries(NOTIFICATION_RULES.map((r) => [r, opts[r] !== false])),
      } as ApiBody<'post', '/notifications/channels'>;
      const created = await clientOf(cmd).post<NotificationChannelView>('/notifications/channels', body);
      show(created, opts.json, (c) => `added ${c.kind} channel '${c.name}' → ${c.target}`);
    });
}

function configOf(kind: string, opts: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const { url, smtpPassword } = notifyCredentials({
    url: str(opts.url),
    smtpPassword: str(opts.smtpPassword),
  });
  if (kind !== 'email') return url === undefined ? {} : { url };
  return Object.fromEntries(
    Object.entries({
      host: opts.smtpHost,
      port: opts.smtpPort === undefined ? undefined : Number(opts.smtpPort),
      secure: opts.smtpSecure === true ? true : undefined,
      username: opts.smtpUser,
      password: smtpPassword,
      from: opts.from,
      to: str(opts.to)
        ?.split(',')
        .map((s) => s.trim()),
    }).filter(([, v]) => v !== undefined),
  );
}
