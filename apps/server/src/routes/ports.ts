import {
  freePortsQuerySchema,
  portSettingsBodySchema,
  portsQuerySchema,
  releaseQuerySchema,
  reservationParamsSchema,
  reserveBodySchema,
} from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { inventoryOf, inventoryOfAllHosts } from '../port-hosts.js';

const tags = ['ports'];

export const portRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { ledger, portRanges } = ctx.berth;

  app.get('/ports', { schema: { tags, querystring: portsQuerySchema } }, async (req) =>
    req.query.allHosts
      ? inventoryOfAllHosts(ledger, ctx.berth.store)
      : inventoryOf(ledger, ctx.berth.store, req.query.host),
  );

  app.get('/ports/free', { schema: { tags, querystring: freePortsQuerySchema } }, async (req) => {
    const { host, count, protocol } = req.query;
    const { range } = portRanges.globalRange();
    // A bound left out is the global range's, moved to keep from ≤ to when the other is given.
    const to = req.query.to ?? Math.max(range[1], req.query.from ?? 0);
    const from = req.query.from ?? Math.min(range[0], to);
    return { host, ports: await ledger.free(host, count, from, to, protocol) };
  });

  // The global and reserved ranges as settings: admin only, reading included (as the brief of
  // issue 16 §6 has it; the range in force is also in /info for every reader).
  app.get('/settings/ports', { schema: { tags }, config: { auth: 'admin' } }, async () => portRanges.view());

  app.put(
    '/settings/ports',
    { schema: { tags, body: portSettingsBodySchema }, config: { auth: 'admin' } },
    async (req) => portRanges.update(req.body),
  );

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
