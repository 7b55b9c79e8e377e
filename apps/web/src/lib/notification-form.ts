import {
  NOTIFICATION_RULES,
  type NotificationChannelBody,
  type NotificationChannelView,
  type NotificationKind,
  type NotificationRule,
  type NotificationRules,
  SECRET_MASK,
} from '../api/types';

/** What the channel form holds: text as typed, checkboxes as booleans. Secrets start empty. */
export interface ChannelForm {
  name: string;
  kind: NotificationKind;
  /** webhook, slack, discord: a new URL; empty keeps the stored one when editing. */
  url: string;
  host: string;
  port: string;
  secure: boolean;
  username: string;
  /** A new SMTP password; empty keeps the stored one when editing. */
  password: string;
  from: string;
  /** Comma- or space-separated addresses. */
  to: string;
  rules: NotificationRules;
}

export const KIND_LABELS: Record<NotificationKind, { label: string; description: string }> = {
  webhook: { label: 'Webhook', description: 'berth’s own JSON, POSTed to any URL.' },
  slack: { label: 'Slack', description: 'A Slack (or Mattermost, Rocket.Chat) incoming webhook.' },
  discord: { label: 'Discord', description: 'A Discord channel webhook.' },
  email: { label: 'E-mail', description: 'Through an SMTP server.' },
};

export const RULE_LABELS: Record<NotificationRule, { label: string; hint: string }> = {
  crashLoop: { label: 'Crash loop', hint: 'an instance crashed and is restarted, or berth gave up' },
  unhealthy: { label: 'Unhealthy', hint: 'an instance failed its health checks' },
  nodeUnreachable: { label: 'Node unreachable', hint: 'a node stopped answering, and when it is back' },
  buildFailed: { label: 'Build failed', hint: 'a build from a repository failed' },
  buildSucceeded: { label: 'Build succeeded', hint: 'a build from a repository is running' },
  portConflict: { label: 'Port conflict', hint: 'a start stopped on a taken port, or a port moved' },
};

const allRules = (): NotificationRules =>
  Object.fromEntries(NOTIFICATION_RULES.map((r) => [r, true])) as NotificationRules;

/** A fresh form, or one holding a stored channel: every secret left empty, never shown back. */
export function channelForm(stored?: NotificationChannelView): ChannelForm {
  const c = stored?.config ?? {};
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  return {
    name: stored?.name ?? '',
    kind: stored?.kind ?? 'webhook',
    url: '',
    host: text(c.host),
    port: text(c.port ?? 587),
    secure: c.secure === true,
    username: text(c.username),
    password: '',
    from: text(c.from),
    to: Array.isArray(c.to) ? c.to.join(', ') : '',
    rules: { ...allRules(), ...stored?.rules },
  };
}

/** True when the stored channel has this secret set (the API shows it as `••••`). */
export function hasStoredSecret(
  stored: NotificationChannelView | undefined,
  key: 'url' | 'password',
): boolean {
  return stored?.config[key] === SECRET_MASK;
}

/**
 * The body to send. A secret left empty while the channel has one stored goes as `••••`, which
 * the server reads as "keep it"; empty fields are left out so the server names what is missing.
 */
export function channelBody(f: ChannelForm, stored?: NotificationChannelView): NotificationChannelBody {
  const keep = (typed: string, key: 'url' | 'password') =>
    typed !== '' ? typed : hasStoredSecret(stored, key) ? SECRET_MASK : undefined;
  const name = f.name.trim();
  if (f.kind !== 'email') {
    const url = keep(f.url.trim(), 'url');
    return { name, kind: f.kind, config: { url: url ?? '' }, rules: f.rules };
  }
  const password = keep(f.password, 'password');
  const port = f.port.trim() === '' ? undefined : Number(f.port);
  return {
    name,
    kind: 'email',
    config: {
      host: f.host.trim(),
      ...(port === undefined ? {} : { port }),
      secure: f.secure,
      ...(f.username.trim() ? { username: f.username.trim() } : {}),
      ...(password === undefined ? {} : { password }),
      from: f.from.trim(),
      to: f.to
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    },
    rules: f.rules,
  };
}

/** The rules a channel is told of, in words: "Crash loop, Unhealthy" or "nothing". */
export function rulesInWords(rules: NotificationRules): string {
  const on = NOTIFICATION_RULES.filter((r) => rules[r]).map((r) => RULE_LABELS[r].label);
  return on.length === NOTIFICATION_RULES.length ? 'everything' : on.join(', ') || 'nothing';
}
