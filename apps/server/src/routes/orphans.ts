import {
  type CleanupPlanView,
  type CleanupResultView,
  cleanupBodySchema,
  type GcResultView,
  gcBodySchema,
  type OrphanView,
} from '@berth/contracts';
import { userMessage } from '@berth/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { findCleanup, runCleanup } from '../cleanup.js';
import { toOrphanView } from '../orphan-view.js';

const tags = ['orphans'];

export const orphanRoutes: FastifyPluginAsyncZod<AppContext> = async (app, ctx) => {
  const { reconciler } = ctx.berth;

  app.get('/orphans', { schema: { tags } }, async () => (await reconciler.findOrphans()).map(toOrphanView));

  /** Removes orphans only — workloads with this installation's labels and no record; never anything else. */
  app.post('/gc', { schema: { tags, body: gcBodySchema } }, async (req): Promise<GcResultView> => {
    const orphans = await reconciler.findOrphans();
    if (req.body.dryRun) return { dryRun: true, removed: orphans.map(toOrphanView), failed: [] };
    const removed: OrphanView[] = [];
    const failed: GcResultView['failed'] = [];
    for (const o of orphans) {
      try {
        await reconciler.removeOrphan(o);
        removed.push(toOrphanView(o));
      } catch (err) {
        failed.push({ ...toOrphanView(o), error: userMessage(err) });
      }
    }
    return { dryRun: false, removed, failed };
  });

  /** What `berth cleanup` would remove: orphaned workloads, folders and leases of no instance. */
  app.get(
    '/cleanup',
    { schema: { tags } },
    async (): Promise<CleanupPlanView> => ({ items: (await findCleanup(ctx.berth)).map((f) => f.view) }),
  );

  /** Removes exactly the items named (by a dry run's keys) that are still to remove; says what changed. */
  app.post(
    '/cleanup',
    { schema: { tags, body: cleanupBodySchema } },
    async (req): Promise<CleanupResultView> => runCleanup(ctx.berth, req.body.items),
  );
};
