import {
  type NotificationChannelView,
  type NotificationKind,
  type NotificationRules,
  notificationRulesSchema,
  type ParsedNotificationChannelBody,
  SECRET_MASK,
} from '@berth/contracts';
import { type BerthEvent, type Clock, InvalidInput, type Logger, NotFound } from '@berth/core';
import type { SecretKeyring } from '@berth/integrations';
import type { NotificationChannelRecord, SqliteStore } from '@berth/store-sqlite';
import { type OpenChannel, sendTo } from './channel-senders.js';
import { DeliveryQueue, type RetryPolicy } from './delivery-queue.js';
import type { Notification } from './notification.js';
import { notificationFor } from './notification-rules.js';

export interface NotificationChannelsDeps {
  store: Pick<SqliteStore, 'notificationChannels'>;
  secrets: SecretKeyring;
  clock: Clock;
  newId: () => string;
  log: Logger;
  retry?: RetryPolicy;
}

/** The config fields each kind keeps sealed. */
const SECRET_FIELDS: Record<NotificationKind, readonly string[]> = {
  webhook: ['url'],
  slack: ['url'],
  discord: ['url'],
  email: ['password'],
};

/**
 * Notification channels: stored with their secrets sealed by the integrations' keyring, shown
 * masked, and told about the events their rules pick through a {@link DeliveryQueue}.
 */
export class NotificationChannels {
  private readonly repo: SqliteStore['notificationChannels'];
  private readonly queue: DeliveryQueue;

  constructor(private readonly d: NotificationChannelsDeps) {
    this.repo = d.store.notificationChannels;
    this.queue = new DeliveryQueue(
      {
        send: (id, n) => this.send(id, n),
        delivered: (id) => this.repo.recordDelivery(id, d.clock.now()),
        failed: (id, reason, willRetry) => this.failed(id, reason, willRetry),
      },
      d.clock,
      d.log,
      d.retry,
    );
  }

  list(): NotificationChannelView[] {
    return this.repo.list().map((c) => this.view(c));
  }

  get(name: string): NotificationChannelView {
    return this.view(this.find(name));
  }

  create(body: ParsedNotificationChannelBody): NotificationChannelView {
    const now = this.d.clock.now();
    const { config, secrets } = this.split(body.kind, body.config, {});
    const record: NotificationChannelRecord = {
      id: this.d.newId(),
      name: body.name,
      kind: body.kind,
      config,
      secrets,
      rules: notificationRulesSchema.parse(body.rules ?? {}),
      createdAt: now,
      updatedAt: now,
      lastDeliveryAt: null,
      lastError: null,
      lastErrorAt: null,
    };
    this.repo.insert(record);
    this.d.log.info({ channel: body.name, kind: body.kind }, 'Added notification channel');
    return this.view(record);
  }

  /** Replaces a channel's settings; a secret sent back as `••••` keeps the stored one. */
  replace(name: string, body: ParsedNotificationChannelBody): NotificationChannelView {
    const old = this.find(name);
    if (body.name !== name)
      throw new InvalidInput('name: cannot change; remove the channel and add it again');
    if (body.kind !== old.kind)
      throw new InvalidInput('kind: cannot change; remove the channel and add it again');
    const { config, secrets } = this.split(body.kind, body.config, this.opened(old));
    const patch = {
      config,
      secrets,
      rules: notificationRulesSchema.parse(body.rules ?? {}),
      updatedAt: this.d.clock.now(),
    };
    this.repo.update(old.id, patch);
    return this.view({ ...old, ...patch });
  }

  remove(name: string): void {
    const c = this.find(name);
    this.repo.remove(c.id);
    this.queue.forget(c.id);
    this.d.log.info({ channel: name }, 'Removed notification channel');
  }

  /** Queues a test message; its delivery or its error shows on the channel. */
  test(name: string): { queued: true; channel: string } {
    const c = this.find(name);
    this.queue.push(c.id, {
      rule: 'test',
      severity: 'info',
      title: 'berth test notification',
      text: `This is a test from berth: channel ${name} works.`,
      instance: null,
      ts: this.d.clock.now(),
    });
    return { queued: true, channel: name };
  }

  /** An event from the bus: each channel whose rules pick it gets a message queued. Never throws. */
  consider(e: BerthEvent): void {
    try {
      for (const c of this.repo.list()) {
        const n = notificationFor(e, notificationRulesSchema.parse(c.rules));
        if (n) this.queue.push(c.id, n);
      }
    } catch (err) {
      this.d.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'Notifications skipped an event',
      );
    }
  }

  /** Within a key rotation: every channel's secrets sealed again with the new key. */
  reseal(reseal: (sealed: string) => string | null): void {
    for (const c of this.repo.list()) {
      if (c.secrets !== null) this.repo.update(c.id, { ...c, secrets: reseal(c.secrets) });
    }
  }

  close(): void {
    this.queue.close();
  }

  private find(name: string): NotificationChannelRecord {
    const c = this.repo.findByName(name);
    if (!c) throw new NotFound('notification channel', name);
    return c;
  }

  private opened(c: NotificationChannelRecord): Record<string, string> {
    return c.secrets ? (this.d.secrets.open(c.secrets) as Record<string, string>) : {};
  }

  /** The config without its secrets, and the secrets sealed (a masked one keeps `stored`'s). */
  private split(kind: NotificationKind, full: Record<string, unknown>, stored: Record<string, string>) {
    const config: Record<string, unknown> = {};
    const plain: Record<string, string> = {};
    for (const [key, value] of Object.entries(full)) {
      if (!SECRET_FIELDS[kind].includes(key)) config[key] = value;
      else if (value === SECRET_MASK) {
        if (stored[key] === undefined) throw new InvalidInput(`config.${key}: no stored value to keep`);
        plain[key] = stored[key];
      } else if (typeof value === 'string' && value !== '') plain[key] = value;
    }
    return { config, secrets: this.d.secrets.seal(plain) };
  }

  private view(c: NotificationChannelRecord): NotificationChannelView {
    const opened = this.opened(c);
    const masked = Object.fromEntries(Object.keys(opened).map((k) => [k, SECRET_MASK]));
    return {
      name: c.name,
      kind: c.kind as NotificationKind,
      config: { ...c.config, ...masked },
      target: c.kind === 'email' ? `smtp://${c.config.host}:${c.config.port}` : safeOrigin(opened.url),
      rules: notificationRulesSchema.parse(c.rules) as NotificationRules,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      lastDeliveryAt: c.lastDeliveryAt,
      lastError: c.lastError,
      lastErrorAt: c.lastErrorAt,
      pending: this.queue.pending(c.id),
    };
  }

  private async send(id: string, n: Notification): Promise<void> {
    const c = this.repo.list().find((x) => x.id === id);
    if (!c) return; // removed while the message waited
    const secrets = this.opened(c);
    const channel: OpenChannel = { kind: c.kind as NotificationKind, config: { ...c.config, ...secrets } };
    try {
      await sendTo(channel, n);
    } catch (err) {
      throw new Error(scrub(describe(err), Object.values(secrets)));
    }
  }

  private failed(id: string, reason: string, willRetry: boolean): void {
    this.repo.recordFailure(id, reason, this.d.clock.now());
    const c = this.repo.list().find((x) => x.id === id);
    this.d.log.warn(
      { channel: c?.name, err: reason },
      willRetry ? 'Notification not delivered; retrying' : 'Notification not delivered; gave up',
    );
  }
}

function safeOrigin(url: string | undefined): string {
  try {
    return url ? new URL(url).origin : '';
  } catch {
    return '';
  }
}

/** The error and its causes in words (fetch says "fetch failed" and hides the why in `cause`). */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 3; e = e.cause) parts.push(e.message);
  return parts.join(': ') || String(err);
}

/** No secret leaves in an error message, even when a library quotes it. */
function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(SECRET_MASK);
  return out;
}
