import type { InfoView, VersionView } from '@berth/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { BERTH_VERSION } from '../version.js';

const tags = ['system'];

export const systemRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { berth } = ctx;

  app.get('/health', { schema: { tags } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/version',
    { schema: { tags } },
    async (): Promise<VersionView> => ({ name: 'berth', version: BERTH_VERSION, node: process.version }),
  );

  app.get(
    '/info',
    { schema: { tags } },
    async (): Promise<InfoView> => ({
      version: BERTH_VERSION,
      dataDir: berth.config.home,
      templatesDir: berth.config.templatesDir,
      apiUrl: `http://${berth.config.host}:${ctx.apiPort()}`,
      proxyPort: ctx.view.proxyPort(),
      runtimes: berth.runtimes.describe(),
      orphans: berth.reconciler.orphans().length,
      instances: berth.store.instances.list().length,
      portRange: {
        from: berth.portRanges.globalRange().range[0],
        to: berth.portRanges.globalRange().range[1],
        why: berth.portRanges.globalRange().why,
        reservedInKernel: berth.config.reservePorts,
      },
    }),
  );
};
