import type { paths } from './__snapshots__/berth-api.js';

/**
 * The CLI's calls checked against the API document: `paths` is what openapi-typescript makes of
 * /api/openapi.json (kept fresh by apps/server/test/openapi-document.test.ts), so a call to a
 * path or method the server does not have, or with a body its schema refuses, fails `tsc -b`.
 */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** `/instances/{id}/start` → `/instances/${string}/start`, the shape a caller's template string has. */
type Concrete<P extends string> = P extends `${infer A}{${string}}${infer B}`
  ? `${A}${string}${Concrete<B>}`
  : P;
type Relative<K> = K extends `/api/v1${infer R}` ? Concrete<R> : never;
type BodyOf<Op> = Op extends { requestBody: { content: { 'application/json': infer B } } } ? B : undefined;
type CallOf<P, Op> = BodyOf<Op> extends undefined ? [path: P, body?: undefined] : [path: P, body: BodyOf<Op>];

/** A path (relative to /api/v1) that has operation `M`, with the body that operation takes. */
export type ApiCall<M extends Method> = {
  [K in keyof paths]: paths[K] extends { [m in M]: infer Op } ? CallOf<Relative<K>, Op> : never;
}[keyof paths];

/** A path (relative to /api/v1) that has operation `M`. */
export type ApiPath<M extends Method> = ApiCall<M>[0];

/**
 * The body operation `M` on `P` takes. For a value the CLI passes on unread (a file's JSON, a
 * flag's word) and the server validates, naming the field: the call site casts to it and says so.
 */
export type ApiBody<M extends Method, P extends ApiPath<M>> = Extract<ApiCall<M>, [P, ...unknown[]]>[1];
