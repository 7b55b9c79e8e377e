import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The web UI's build, next to this package in the workspace (built by apps/web). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Serves the built web UI at `/` when its folder exists; unknown non-API paths get index.html. */
export async function installWebUi(app: FastifyInstance, dist: string): Promise<boolean> {
  if (!existsSync(dist)) return false;
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: true,
    // A name no file can have (a NUL) is simply not there: the not-found answer, not a 400.
    allowedPath: (path) => !path.includes('\0'),
  });
  return true;
}

/** For the not-found handler: a browser navigating inside the single-page UI. */
export function wantsUiPage(method: string, url: string, accept: string | undefined): boolean {
  return (
    method === 'GET' && !url.startsWith('/api') && !url.startsWith('/i/') && /text\/html/.test(accept ?? '')
  );
}
