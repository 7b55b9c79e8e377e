/**
 * The notification channels' kinds, rules and views. Plain types and constants, no zod: the web UI
 * imports them without the schemas (notifications.ts holds those).
 */

export const NOTIFICATION_KINDS = ['webhook', 'slack', 'discord', 'email'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The rules a channel can be told of, in the order forms and tables show them. */
export const NOTIFICATION_RULES = [
  'crashLoop',
  'unhealthy',
  'nodeUnreachable',
  'buildFailed',
  'buildSucceeded',
  'portConflict',
] as const;
export type NotificationRule = (typeof NOTIFICATION_RULES)[number];
/** Which rules a channel is told of (see notificationRulesSchema for what each means). */
export type NotificationRules = Record<NotificationRule, boolean>;

/** A channel as the API shows it: secrets masked, where it sends to, and how its last delivery went. */
export interface NotificationChannelView {
  name: string;
  kind: NotificationKind;
  /** Secrets (a webhook URL, an SMTP password) are `••••`. */
  config: Record<string, unknown>;
  /** Where messages go, without any secret: a webhook's scheme, host and port; an SMTP host. */
  target: string;
  rules: NotificationRules;
  createdAt: number;
  updatedAt: number;
  lastDeliveryAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** Messages waiting for a delivery or a retry. */
  pending: number;
}

/** `POST /notifications/channels/:name/test`: queued; the channel's last delivery or error tells. */
export interface NotificationTestResult {
  queued: true;
  channel: string;
}
