import { z } from 'zod';
import { SECRET_MASK } from './integration-views.js';
import type { NotificationRule } from './notification-views.js';

export * from './notification-views.js';

/**
 * What a channel is told about. `crashLoop`: an instance crashed and is restarted, or berth gave up
 * restarting it; `unhealthy`: an instance turned unhealthy (after its health check's own number of
 * failed checks, the template's `health.failureThreshold`); `nodeUnreachable`: a node stopped
 * answering (and when it answers again); `buildFailed` / `buildSucceeded`: a build from a
 * repository ended; `portConflict`: a start stopped on a port someone else holds, or a port berth
 * had to move because it was taken. Each is on unless set false.
 */
export const notificationRulesSchema = z.object({
  crashLoop: z.boolean().default(true),
  unhealthy: z.boolean().default(true),
  nodeUnreachable: z.boolean().default(true),
  buildFailed: z.boolean().default(true),
  buildSucceeded: z.boolean().default(true),
  portConflict: z.boolean().default(true),
} satisfies Record<NotificationRule, z.ZodDefault<z.ZodBoolean>>);

const channelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63)');

/**
 * A webhook URL: its path and query often hold the token, so it is sealed and never shown; sent
 * back as `••••` it keeps the stored one.
 */
const webhookUrl = z.string().refine((u) => u === SECRET_MASK || isHttpUrl(u), 'must be an http(s) URL');

function isHttpUrl(u: string): boolean {
  try {
    const { protocol } = new URL(u);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

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
