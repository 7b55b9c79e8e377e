import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from '../app-context.js';
import { requestScope } from '../log-labels.js';
import { redirectInstancePath, refuseInstanceUpgrade } from '../proxy/proxy-handlers.js';
import { buildRoutes } from '../routes/builds.js';
import { eventRoutes } from '../routes/events.js';
import { instanceRoutes } from '../routes/instances.js';
import { integrationRoutes } from '../routes/integrations.js';
import { logRoutes } from '../routes/logs.js';
import { manifestRoutes } from '../routes/manifests.js';
import { metricsRoutes } from '../routes/metrics.js';
import { nodeRoutes } from '../routes/nodes.js';
import { notificationRoutes } from '../routes/notifications.js';
import { orphanRoutes } from '../routes/orphans.js';
import { portRoutes } from '../routes/ports.js';
import { sessionRoutes } from '../routes/session.js';
import { statsRoutes } from '../routes/stats.js';
import { systemRoutes } from '../routes/system.js';
import { templateRoutes } from '../routes/templates.js';
import { tokenRoutes } from '../routes/tokens.js';
import { wsRoutes } from '../routes/ws.js';
import { installAuth, requireCaller } from './auth-hook.js';
import { answerClientError } from './client-error.js';
import { badUrl, installErrorHandling } from './error-handler.js';
import { holdForeground } from './foreground-requests.js';
import { installOpenApi } from './openapi.js';
import { installSecurityHeaders } from './security-headers.js';
import { installWebUi } from './web-ui.js';

/**
 * The API server: /api/v1 (token required except health), OpenAPI and the web UI when built.
 * Instance content is never served on this origin: `/i/<instance>/…` is answered before Fastify
 * sees it, with a 308 to the same path on the proxy port (WebSocket upgrades there are refused).
 */
export async function createApp(ctx: AppContext, webDist: string): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.berth.log.child({ ns: 'http' }) as FastifyBaseLogger,
    // Lines logged while answering a request carry its id under the name the error envelope uses.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // A URL the router cannot read (a stray %, an over-long parameter) is refused like any other
    // unmatched path: 401 without a token, 400 with one.
    frameworkErrors: (err, req, reply) => badUrl(err, req, reply, (r) => requireCaller(r, ctx.berth.tokens)),
    // A head Node cannot parse (over 16 KB, malformed) gets the same error envelope.
    clientErrorHandler: answerClientError,
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        holdForeground(res);
        if (!redirectInstancePath(req, res, ctx.view.proxyPort()))
          requestScope.run({}, () => handler(req, res));
      });
      server.on('upgrade', (req, socket) => {
        if (
          !refuseInstanceUpgrade(req, socket, ctx.view.proxyPort()) &&
          server.listenerCount('upgrade') === 1
        )
          socket.destroy();
      });
      return server;
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installSecurityHeaders(app);
  app.addHook('onRequest', async (req) => {
    const scope = requestScope.getStore();
    if (scope) scope.requestId = String(req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug(
      { method: req.method, url: withoutToken(req.url), status: reply.statusCode, ms: reply.elapsedTime },
      'request',
    );
    ctx.berth.metrics.observeRequest(
      req.method,
      req.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  // First: every route registered after this is private unless it says otherwise.
  installAuth(app, ctx.berth.tokens);
  await installOpenApi(app);
  const ui = await installWebUi(app, webDist);
  installErrorHandling(app, {
    ui,
    requireCaller: (req) => requireCaller(req, ctx.berth.tokens),
    onConflict: (route) => ctx.berth.metrics.portConflict(route),
  });
  await app.register(metricsRoutes, ctx);
  await app.register(
    async (api) => {
      for (const routes of [
        systemRoutes,
        sessionRoutes,
        templateRoutes,
        instanceRoutes,
        manifestRoutes,
        nodeRoutes,
        orphanRoutes,
        portRoutes,
        tokenRoutes,
        integrationRoutes,
        notificationRoutes,
        buildRoutes,
        logRoutes,
        statsRoutes,
        eventRoutes,
        wsRoutes,
      ]) {
        await api.register(routes, ctx);
      }
    },
    { prefix: '/api/v1' },
  );
  return app;
}

/** A request's URL for the log: a `?token=` (EventSource and WebSocket clients send one) is masked. */
export function withoutToken(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1***');
}
