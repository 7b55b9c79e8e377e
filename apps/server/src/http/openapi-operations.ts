import {
  errorEnvelopeSchema,
  instanceListSchema,
  instanceViewSchema,
  portSettingsSchema,
} from '@berth/contracts';
import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { defaultAuth } from './auth-hook.js';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type DocSchema = Record<string, unknown>;

/**
 * Routes that answer something other than 200 on success. Fastify cannot tell the document what
 * a handler passes to `reply.code()`, so the exceptions are named here; `openapi-document.test.ts`
 * makes real calls and checks each status it gets is one the document lists.
 */
const SUCCESS_STATUS: Record<string, number> = {
  'POST /api/v1/templates': 201,
  'DELETE /api/v1/templates/:name': 204,
  'DELETE /api/v1/templates/:name/versions/:version': 204,
  'POST /api/v1/instances': 201,
  'DELETE /api/v1/instances/:id': 204,
  'POST /api/v1/nodes': 201,
  'DELETE /api/v1/nodes/:name': 204,
  'POST /api/v1/ports/reservations': 201,
  'DELETE /api/v1/ports/reservations/:port': 204,
  'POST /api/v1/tokens': 201,
  'DELETE /api/v1/tokens/:id': 204,
  'POST /api/v1/integrations': 201,
  'DELETE /api/v1/integrations/:id': 204,
  'POST /api/v1/builds': 202,
  'POST /api/v1/builds/:id/redeploy': 202,
  'DELETE /api/v1/builds/:id': 204,
  'DELETE /api/v1/session': 204,
};

/** Routes whose success answer is not JSON (errors still are): method and path → media type. */
const TEXT_ANSWERS: Record<string, string> = {
  'GET /metrics': 'text/plain',
  'GET /api/v1/instances/:id/manifest': 'application/yaml',
  'GET /api/v1/templates/:name/manifest': 'application/yaml',
};

/**
 * Success answers the document shows although the route does not serialize through them (the
 * instance list is cached JSON bytes; views are built by hand): method and path → its schema.
 */
const DOCUMENTED_ANSWERS: Record<string, unknown> = {
  'GET /api/v1/instances': instanceListSchema,
  'GET /api/v1/instances/:id': instanceViewSchema,
  'GET /api/v1/settings/ports': portSettingsSchema,
  'PUT /api/v1/settings/ports': portSettingsSchema,
};

const DESCRIPTIONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
};

/** The status a route answers on success, as the document states it. */
export function successStatus(method: string, url: string): number {
  return SUCCESS_STATUS[`${method} ${url}`] ?? 200;
}

/** `GET /api/v1/instances/:id/stats` → `getInstancesIdStats`: stable, unique per method and path. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/api\/v1\//, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}

/**
 * Turns a route's zod schemas into the document's JSON Schemas (jsonSchemaTransform) and adds what
 * the route itself cannot say: an operationId, who may call it (`security` and `x-berth-role`, from
 * the same rule the auth hook enforces), its success status and the error envelope every failure
 * uses. Only the document changes: the route's own schemas, which validate and serialize, do not.
 */
export function transformRoute(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const route = (input as { route?: RouteOptions }).route;
  const method = [route?.method ?? 'GET'].flat()[0] ?? 'GET';
  const schema = (input.schema ?? {}) as DocSchema;
  const documented = DOCUMENTED_ANSWERS[`${method} ${input.url}`];
  const withErrors = {
    ...schema,
    response: {
      ...(documented ? { 200: documented } : {}),
      ...(schema.response as object),
      default: errorEnvelopeSchema,
    },
  };
  const out = jsonSchemaTransform({ ...input, schema: withErrors } as TransformInput);
  const doc = out.schema as DocSchema;
  if (doc.hide) return out;
  const role = route?.config?.auth ?? (route ? defaultAuth(route) : 'admin');
  const status = successStatus(method, input.url);
  const response = doc.response as Record<string, DocSchema>;
  const error = response.default ?? {};
  const text = TEXT_ANSWERS[`${method} ${input.url}`];
  const success = text
    ? { content: { [text]: { schema: { type: 'string' } } } }
    : (response[status] ?? (status === 204 ? { type: 'null' } : {}));
  doc.response = {
    ...response,
    [status]: { description: DESCRIPTIONS[status] ?? 'OK', ...success },
    default: {
      description: 'The error envelope: `{ error: { code, message, details?, requestId? } }`',
      ...error,
    },
  };
  doc.operationId = operationIdOf(method, input.url);
  doc.security = role === 'public' ? [] : [{ bearer: [] }];
  doc['x-berth-role'] = role;
  return out;
}
