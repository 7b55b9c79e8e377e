import { ERROR_STATUS, type ErrorEnvelope } from '@berth/contracts';
import { isBerthError } from '@berth/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { wantsUiPage } from './web-ui.js';

type Issue = { field: string; message: string };

function send(reply: FastifyReply, status: number, error: ErrorEnvelope['error']) {
  return reply.code(status).send({ error });
}

/** "body.ports.http" from the request part and an instancePath like "/ports/http". */
function fieldOf(context: string | undefined, instancePath: string): string {
  const path = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  return [context, path].filter(Boolean).join('.') || '(request)';
}

function validationIssues(err: FastifyError): Issue[] {
  return (err.validation ?? []).map((v) => ({
    field: fieldOf(err.validationContext, v.instancePath),
    message: v.message ?? 'is invalid',
  }));
}

/**
 * The one place errors become responses: domain errors by their kind (the table in contracts),
 * validation and malformed bodies as 400 naming the field, anything else 500 with a request id.
 */
export function handleError(
  err: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
  onConflict?: (route: string) => void,
) {
  if (isBerthError(err)) {
    if (err.code === 'PORT_CONFLICT') onConflict?.(req.routeOptions.url ?? 'unmatched');
    return send(reply, ERROR_STATUS[err.kind], {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
    });
  }
  if (hasZodFastifySchemaValidationErrors(err) || err.validation) {
    const issues = validationIssues(err);
    return send(reply, 400, {
      code: 'INVALID_INPUT',
      message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      details: { issues },
    });
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return send(reply, err.statusCode, {
      code: err.statusCode === 400 ? 'INVALID_INPUT' : (err.code ?? 'BAD_REQUEST'),
      message: err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? `body: ${err.message}` : err.message,
    });
  }
  req.log.error({ err }, 'Unhandled error');
  return send(reply, 500, {
    code: 'INTERNAL',
    message: `Internal error; the server log has the details (request ${req.id})`,
    requestId: String(req.id),
  });
}

/** Fastify's own refusals before routing (a malformed URL): only a caller with a token hears why. */
export function badUrl(
  err: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
  requireCaller: (req: FastifyRequest) => void,
) {
  try {
    requireCaller(req);
  } catch (denied) {
    return handleError(denied as FastifyError, req, reply);
  }
  return send(reply, 400, { code: 'INVALID_INPUT', message: `url: ${err.message}` });
}

/**
 * `ui`: the web UI is served, so a browser navigating inside it gets its index.html. Anything else
 * that matched no route is answered 404 only to a caller with a token (401 otherwise): an
 * unauthenticated caller learns nothing from the shape of a path.
 */
export function installErrorHandling(
  app: FastifyInstance,
  opts: {
    ui: boolean;
    requireCaller: (req: FastifyRequest) => void;
    /** Told of each port conflict answered (the metrics count them). */
    onConflict?: (route: string) => void;
  },
): void {
  app.setErrorHandler((err: FastifyError, req, reply) => handleError(err, req, reply, opts.onConflict));
  app.setNotFoundHandler((req, reply) => {
    if (opts.ui && wantsUiPage(req.method, req.url, req.headers.accept)) return reply.sendFile('index.html');
    opts.requireCaller(req);
    return send(reply, 404, {
      code: 'NOT_FOUND',
      message: `No route ${req.method} ${req.url.split('?')[0]}`,
    });
  });
}
