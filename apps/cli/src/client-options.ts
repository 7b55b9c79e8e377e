import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

// The CLI reads its settings from the environment here and nowhere else: BERTH_URL, BERTH_TOKEN,
// BERTH_HOME (for the admin token) and the integration credentials; commands get the values.

export interface GlobalOptions {
  server?: string;
  token?: string;
}

export function serverUrl(opts: GlobalOptions, env = process.env): string {
  return (opts.server ?? env.BERTH_URL ?? 'http://127.0.0.1:7411').replace(/\/+$/, '');
}

/** BERTH_TOKEN, else the admin token berth wrote to BERTH_HOME on first start. */
export function clientToken(opts: GlobalOptions, env = process.env): string | undefined {
  if (opts.token) return opts.token;
  if (env.BERTH_TOKEN) return env.BERTH_TOKEN;
  const home = env.BERTH_HOME ?? join(homedir(), '.berth');
  try {
    return readFileSync(join(home, 'admin.token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface IntegrationCredentials {
  apiKey?: string | undefined;
  apiSecret?: string | undefined;
}

/** `--api-key`/`--api-secret`, else BERTH_INTEGRATION_API_KEY / BERTH_INTEGRATION_API_SECRET. */
export function integrationCredentials(
  opts: IntegrationCredentials,
  env: NodeJS.ProcessEnv = process.env,
): IntegrationCredentials {
  return {
    apiKey: opts.apiKey ?? env.BERTH_INTEGRATION_API_KEY,
    apiSecret: opts.apiSecret ?? env.BERTH_INTEGRATION_API_SECRET,
  };
}

/**
 * A notification channel's secrets: `--url`/`--smtp-password`, else BERTH_NOTIFY_URL /
 * BERTH_SMTP_PASSWORD (a webhook URL holds its token: the environment keeps it out of `ps`).
 */
export function notifyCredentials(
  opts: { url?: string | undefined; smtpPassword?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): { url: string | undefined; smtpPassword: string | undefined } {
  return {
    url: opts.url ?? env.BERTH_NOTIFY_URL,
    smtpPassword: opts.smtpPassword ?? env.BERTH_SMTP_PASSWORD,
  };
}

export interface StartupSettings {
  home: string;
  shutdown: string;
  path: string;
  /** Where a user's systemd units live under (XDG_CONFIG_HOME, else ~/.config). */
  configHome: string;
}

/** What `berth startup` writes into the unit: the settings `berth serve` would run with now. */
export function startupSettings(
  opts: { home?: string; shutdown?: string },
  env: NodeJS.ProcessEnv = process.env,
): StartupSettings {
  return {
    home: resolve(opts.home ?? env.BERTH_HOME ?? join(homedir(), '.berth')),
    shutdown: opts.shutdown ?? env.BERTH_SHUTDOWN ?? 'leave',
    path: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    configHome: env.XDG_CONFIG_HOME || join(homedir(), '.config'),
  };
}
