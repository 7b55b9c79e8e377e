import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

/**
 * Prometheus' scrape target, where Prometheus looks by default (not under /api/v1). Any token may
 * scrape it, the least being a `metrics` token, which can do nothing else — the one to put in
 * Prometheus' `authorization: { credentials_file }`.
 */
export const metricsRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics in the text exposition format',
      },
      config: { auth: 'metrics' },
    },
    async (_req, reply) => {
      const { metrics } = ctx.berth;
      return reply.type(metrics.contentType).send(await metrics.text());
    },
  );
};
