import {
  actionQuerySchema,
  type BulkActionResponse,
  bulkActionBodySchema,
  bulkActionResponseSchema,
  type CreatedInstanceView,
  createInstanceBodySchema,
  editInstanceBodySchema,
  editInstanceQuerySchema,
  instanceIdParamsSchema,
  instanceListQuerySchema,
  portOverrideBodySchema,
  removeInstanceQuerySchema,
  rollbackInstanceBodySchema,
  scaleInstanceBodySchema,
  updateInstanceConfigBodySchema,
} from '@berth/contracts';
import { type BulkOutcome, isBerthError, NotAllowed } from '@berth/core';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { InstanceListCache, toDeploymentView, toInstanceView } from '../instance-view.js';

const tags = ['instances'];
const ACTIONS = ['start', 'stop', 'restart', 'kill'] as const;

export const instanceRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { instances } = ctx.berth;
  const view = (inst: Parameters<typeof toInstanceView>[1]) => toInstanceView(ctx.view, inst);

  app.post(
    '/instances',
    { schema: { tags, body: createInstanceBodySchema, querystring: actionQuerySchema } },
    async (req, reply) => {
      const inst = await instances.create(req.body, { wait: req.query.wait });
      if (req.body.start !== false || Object.keys(req.body.ports ?? {}).length === 0) {
        return reply.code(201).send(view(inst));
      }
      const waiting = (await instances.preflight(inst.id)).portConflicts.filter((c) => c.pinned);
      const created: CreatedInstanceView = { ...view(inst) };
      if (waiting.length > 0) {
        created.portConflicts = waiting.map(({ pinned: _, ...c }) => c);
        created.warnings = waiting.map(
          (c) =>
            `port ${c.port} (${c.name}) is in use by ${c.usedBy}; starting ${inst.name} will ask for another${c.suggestedPort ? ` (free now: ${c.suggestedPort})` : ''}`,
        );
      }
      return reply.code(201).send(created);
    },
  );

  const listCache = new InstanceListCache(ctx.view, (query) => instances.list(query));
  app.get('/instances', { schema: { tags, querystring: instanceListQuerySchema } }, async (req, reply) =>
    reply.type('application/json; charset=utf-8').send(listCache.body(req.query)),
  );

  app.get('/instances/:id', { schema: { tags, params: instanceIdParamsSchema } }, async (req) =>
    view(instances.get(req.params.id)),
  );

  for (const action of ACTIONS) {
    app.post(
      `/instances/:id/${action}`,
      {
        schema: { tags, params: instanceIdParamsSchema, querystring: actionQuerySchema },
        config: { auth: 'operate' },
      },
      async (req) => view(await instances[action](req.params.id, { wait: req.query.wait })),
    );
  }

  // The route asks for operate (start, stop, restart, kill, as their own routes do); rm asks for
  // admin in the handler, as DELETE /instances/:id does.
  app.post(
    '/instances/actions',
    {
      schema: {
        tags,
        querystring: actionQuerySchema,
        body: bulkActionBodySchema,
        response: { 200: bulkActionResponseSchema },
      },
      config: { auth: 'operate' },
    },
    async (req): Promise<BulkActionResponse> => {
      const { action, ...selector } = req.body;
      if (action === 'rm') requireAdmin(req);
      const outcomes = await instances.bulk(action, selector, { wait: req.query.wait });
      const results = outcomes.map((o) => bulkResult(o, req.log));
      const failed = results.filter((r) => !r.ok).length;
      return { action, results, succeeded: results.length - failed, failed };
    },
  );

  app.delete(
    '/instances/:id',
    { schema: { tags, params: instanceIdParamsSchema, querystring: removeInstanceQuerySchema } },
    async (req, reply) => {
      await instances.remove(req.params.id, { volumes: req.query.volumes, keepData: req.query.keepData });
      return reply.code(204).send();
    },
  );

  app.get('/instances/:id/preflight', { schema: { tags, params: instanceIdParamsSchema } }, async (req) =>
    instances.preflight(req.params.id),
  );

  app.post(
    '/instances/:id/port-override',
    // Part of starting: the conflict flow's "use 18001 instead?" needs no more than operate.
    {
      schema: { tags, params: instanceIdParamsSchema, body: portOverrideBodySchema },
      config: { auth: 'operate' },
    },
    async (req) => view(await instances.overridePort(req.params.id, req.body.name, req.body.port)),
  );

  app.post(
    '/instances/:id/scale',
    // Like a restart with more or fewer copies of what already runs: nothing new is run.
    {
      schema: {
        tags,
        params: instanceIdParamsSchema,
        querystring: actionQuerySchema,
        body: scaleInstanceBodySchema,
      },
      config: { auth: 'operate' },
    },
    async (req) => view(await instances.scale(req.params.id, req.body.replicas, { wait: req.query.wait })),
  );

  app.patch(
    '/instances/:id/config',
    { schema: { tags, params: instanceIdParamsSchema, body: updateInstanceConfigBodySchema } },
    async (req) => view(instances.updateConfig(req.params.id, req.body.config)),
  );

  app.get('/instances/:id/deployments', { schema: { tags, params: instanceIdParamsSchema } }, async (req) =>
    instances.deployments(req.params.id).map(toDeploymentView),
  );

  // Editing changes what runs (config, env, ports, node): the same role as creating (admin).
  app.patch(
    '/instances/:id',
    {
      schema: {
        tags,
        params: instanceIdParamsSchema,
        querystring: editInstanceQuerySchema,
        body: editInstanceBodySchema,
      },
    },
    async (req) => view(await instances.edit(req.params.id, req.body, req.query)),
  );

  // Runs the spec an admin stored: nothing new, like a restart.
  app.post(
    '/instances/:id/apply',
    {
      schema: { tags, params: instanceIdParamsSchema, querystring: actionQuerySchema },
      config: { auth: 'operate' },
    },
    async (req) => view(await instances.apply(req.params.id, { wait: req.query.wait })),
  );

  // A rollback changes what runs to an older spec (an old secret an admin replaced, say): admin.
  app.post(
    '/instances/:id/rollback',
    {
      schema: {
        tags,
        params: instanceIdParamsSchema,
        querystring: actionQuerySchema,
        body: rollbackInstanceBodySchema,
      },
    },
    async (req) =>
      view(await instances.rollback(req.params.id, req.body?.deployment, { wait: req.query.wait })),
  );
};

function requireAdmin(req: FastifyRequest): void {
  const p = req.principal;
  if (p?.role === 'admin') return;
  throw new NotAllowed(
    `removing instances needs a token with the admin role, as DELETE /api/v1/instances/:id does; '${p?.name}' has ${p?.role}`,
    { code: 'ROLE_REQUIRED' },
  );
}

/** One outcome as the API says it: a domain error in its own words, anything else logged and hidden. */
function bulkResult(o: BulkOutcome, log: FastifyBaseLogger): BulkActionResponse['results'][number] {
  if (o.ok) return { name: o.name, id: o.id, ok: true, status: o.instance?.status ?? null, error: null };
  const e = o.error;
  if (isBerthError(e)) {
    const error = { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
    return { name: o.name, id: o.id, ok: false, status: null, error };
  }
  log.error({ err: e, instance: o.name }, 'Bulk action failed on an instance');
  const error = { code: 'INTERNAL', message: 'internal error; the server log has the details' };
  return { name: o.name, id: o.id, ok: false, status: null, error };
}
