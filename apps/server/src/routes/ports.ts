import {
  freePortsQuerySchema,
  portsQuerySchema,
  releaseQuerySchema,
  reservationParamsSchema,
  reserveBodySchema,
} from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { inventoryOfAllHosts } from '../port-hosts.js';

const tags = ['ports'];

export const portRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { ledger } = ctx.berth;
  const { range } = ctx.berth.config.portRange;

  app.get('/ports', { schema: { tags, querystring: portsQuerySchema } }, async (req) =>
    req.query.allHosts ? inventoryOfAllHosts(ledger, ctx.berth.store) : ledger.inventory(req.query.host),
  );

  app.get('/ports/free', { schema: { tags, querystring: freePortsQuerySchema } }, async (req) => {
    const { host, count, protocol } = req.query;
    // A bound left out is the global range's, moved to keep from ≤ to when the other is given.
    const to = req.query.to ?? Math.max(range[1], req.query.from ?? 0);
    const from = req.query.from ?? Math.min(range[0], to);
    return { host, ports: await ledger.free(host, count, from, to, protocol) };
  });

  app.post('/ports/reservations', { schema: { tags, body: reserveBodySchema } }, async (req, reply) => {
    const { host, port, note, protocol } = req.body;
    return reply.code(201).send(await ledger.reserve(host, port, note, protocol));
  });

  app.delete(
    '/ports/reservations/:port',
    { schema: { tags, params: reservationParamsSchema, querystring: releaseQuerySchema } },
    async (req, reply) => {
      ledger.unreserve(req.query.host, req.params.port, req.query.protocol);
      return reply.code(204).send();
    },
  );
};
