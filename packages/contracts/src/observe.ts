import type { ErrorKind } from '@berth/core';
import { z } from 'zod';
import { type logLineSchema, logsQuerySchema } from './instances.js';

/** A point in time in a query: epoch milliseconds, or an ISO 8601 date-time. */
export const timeParamSchema = z.string().transform((raw, ctx) => {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `'${raw}' is neither epoch milliseconds nor an ISO date-time` });
    return z.NEVER;
  }
  return ms;
});

/** `?follow=1`: keep the response open and stream what comes next (Server-Sent Events). */
const followFlag = z
  .enum(['1', '0', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');

export const logsFollowQuerySchema = logsQuerySchema.extend({
  since: timeParamSchema.optional(),
  follow: followFlag,
});
export type LogsFollowQuery = z.infer<typeof logsFollowQuerySchema>;

export const statsQuerySchema = z.object({ since: timeParamSchema.optional() });

export const statsSampleSchema = z.object({
  ts: z.number(),
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  memoryPercent: z.number(),
  diskBytes: z.number().nullable(),
});
export type StatsSampleView = z.infer<typeof statsSampleSchema>;

/** One replica's usage, or n/a (null numbers) with the reason: which node, and why. */
export const replicaStatsSchema = z.object({
  replica: z.string(),
  node: z.string().nullable(),
  cpuPercent: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  reason: z.string().nullable(),
});

/**
 * `GET /instances/:id/stats`: history oldest first, and the newest sample (null before the first);
 * `available: false` with the reason when the instance's runtime cannot give its stats (n/a);
 * `partial: true` when the numbers sum only the replicas berth can read (a Swarm task on a node it
 * does not reach, a Kubernetes pod metrics-server has not measured yet), the reason naming each
 * replica that is n/a. `replicas`: each one's share, where the runtime reads replicas apart (Swarm's
 * tasks, Kubernetes' pods), else null.
 */
export const instanceStatsSchema = z.object({
  samples: z.array(statsSampleSchema),
  latest: statsSampleSchema.nullable(),
  available: z.boolean(),
  partial: z.boolean(),
  reason: z.string().nullable(),
  replicas: z.array(replicaStatsSchema).nullable(),
});
export type InstanceStatsView = z.infer<typeof instanceStatsSchema>;

export const hostSampleSchema = z.object({
  ts: z.number(),
  cpuPercent: z.number(),
  cpuCount: z.number(),
  memoryBytes: z.number(),
  memoryTotalBytes: z.number(),
  memoryPercent: z.number(),
  load1: z.number(),
});

/** `GET /host/stats`: this machine's latest totals and their history. */
export const hostStatsSchema = z.object({
  latest: hostSampleSchema.nullable(),
  history: z.array(statsSampleSchema),
});
export type HostStatsView = z.infer<typeof hostStatsSchema>;

export const eventsQuerySchema = z.object({
  /** Instance id or name. */
  instance: z.string().min(1).optional(),
  /** Events at or after this time. */
  since: timeParamSchema.optional(),
  /** Events after this event id (what `Last-Event-ID` carries on a reconnect). */
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  follow: followFlag,
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

export const eventViewSchema = z.object({
  id: z.number(),
  ts: z.number(),
  type: z.string(),
  instanceId: z.string().nullable(),
  instanceName: z.string().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type EventView = z.infer<typeof eventViewSchema>;

/** What a client sends on `/api/v1/ws`; `id` tags the messages of that subscription. */
export const wsSubscriptionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('logs'),
      id: z.string().max(100).optional(),
      instance: z.string().min(1),
      tail: z.number().int().min(0).max(100_000).optional(),
      since: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('events'),
      id: z.string().max(100).optional(),
      instance: z.string().min(1).optional(),
      after: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('stats'),
      id: z.string().max(100).optional(),
      instance: z.string().min(1),
      since: z.number().int().min(0).optional(),
    })
    .strict(),
]);
export type WsSubscription = z.infer<typeof wsSubscriptionSchema>;

/** What the server sends on `/api/v1/ws`. */
export type WsMessage =
  | { type: 'subscribed'; id: string | null; subscription: WsSubscription['type'] }
  | { type: 'log'; id: string | null; data: z.infer<typeof logLineSchema> }
  | { type: 'event'; id: string | null; data: EventView }
  | { type: 'stats'; id: string | null; data: StatsSampleView }
  | { type: 'end'; id: string | null; reason: string };

/** The WebSocket edge's one table: a domain error's kind → the close code. */
export const ERROR_CLOSE_CODE: Record<ErrorKind, number> = {
  invalid: 4000,
  unauthenticated: 4003,
  forbidden: 4003,
  not_found: 4004,
  conflict: 4009,
  unprocessable: 4022,
  runtime_unavailable: 4503,
  storage_full: 4507,
  storage_unavailable: 4503,
};
