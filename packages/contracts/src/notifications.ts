import { z } from 'zod';
import { SECRET_MASK } from './integration-views.js';

export const NOTIFICATION_KINDS = ['webhook', 'slack', 'discord', 'email'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * What a channel is told about. `crashLoop`: an instance crashed and is restarted, or berth gave up
 * restarting it; `unhealthy`: an instance turned unhealthy (after its health check's own number of
 * failed checks, the template's `health.failureThreshold`).
 */
export const notificationRulesSchema = z.object({
  crashLoop: z.boolean().default(true),
  unhealthy: z.boolean().default(true),
});
export type NotificationRules = z.output<typeof notificationRulesSchema>;

const channelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63)');

/**
 * A webhook URL: its path and query often hold the token, so it is sealed and never shown; sent
 * back as `••••` it keeps the stored one.
 */
const webhookUrl = z.union([
  z.literal(SECRET_MASK),
  z
    .string()
    .url('must be an http(s) URL')
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
]);

const webhookConfig = z.object({ url: webhookUrl });

const emailConfig = z.object({
  host: z.string().min(1, 'must name the SMTP host'),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  username: z.string().optional(),
  /** Sealed; shown as `••••`, and sent back as `••••` it keeps the stored one. */
  password: z.string().optional(),
  from: z.string().email('must be an e-mail address'),
  to: z.array(z.string().email('must be an e-mail address')).min(1, 'must name at least one address'),
});

/** `POST /notifications/channels` and `PUT /notifications/channels/:name`. */
export const notificationChannelBodySchema = z.discriminatedUnion('kind', [
  z.object({
    name: channelName,
    kind: z.literal('webhook'),
    config: webhookConfig,
    rules: notificationRulesSchema.optional(),
  }),
  z.object({
    name: channelName,
    kind: z.literal('slack'),
    config: webhookConfig,
    rules: notificationRulesSchema.optional(),
  }),
  z.object({
    name: channelName,
    kind: z.literal('discord'),
    config: webhookConfig,
    rules: notificationRulesSchema.optional(),
  }),
  z.object({
    name: channelName,
    kind: z.literal('email'),
    config: emailConfig,
    rules: notificationRulesSchema.optional(),
  }),
]);
export type NotificationChannelBody = z.input<typeof notificationChannelBodySchema>;
export type ParsedNotificationChannelBody = z.output<typeof notificationChannelBodySchema>;

export const notificationChannelParamsSchema = z.object({ name: z.string().min(1) });

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
