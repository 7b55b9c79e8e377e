import type { NodeView } from '@berth/contracts';
import { LOCAL_NODE } from '@berth/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';

export const nodeRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { runtimes, store } = ctx.berth;

  app.get('/nodes', { schema: { tags: ['nodes'] } }, async (): Promise<NodeView[]> => {
    const local: NodeView = {
      name: LOCAL_NODE,
      kind: 'local',
      host: runtimes.hostOf(LOCAL_NODE),
      status: 'ready',
      runtimes: runtimes.describe().map((r) => r.kind),
    };
    const others = store.nodes
      .list()
      .filter((n) => n.name !== LOCAL_NODE)
      .map(
        (n): NodeView => ({ name: n.name, kind: n.kind, host: n.host, status: 'unreachable', runtimes: [] }),
      );
    return [local, ...others];
  });
};
