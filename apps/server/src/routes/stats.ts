import type { HostStatsView, InstanceStatsView } from '@berth/contracts';
import { instanceIdParamsSchema, statsQuerySchema } from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

const tags = ['observe'];

/** Resource history from the sampler: per instance, and this machine's totals. */
export const statsRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { instances, sampler } = ctx.berth;

  app.get(
    '/instances/:id/stats',
    { schema: { tags, params: instanceIdParamsSchema, querystring: statsQuerySchema } },
    async (req): Promise<InstanceStatsView> => {
      const inst = instances.get(req.params.id);
      return {
        samples: sampler.history(inst.id, req.query.since),
        latest: sampler.latest(inst.id) ?? null,
        ...sampler.availability(inst.id),
      };
    },
  );

  app.get(
    '/host/stats',
    { schema: { tags, querystring: statsQuerySchema } },
    async (req): Promise<HostStatsView> => {
      const { latest, history } = sampler.host(req.query.since);
      return { latest: latest ?? null, history };
    },
  );
};
