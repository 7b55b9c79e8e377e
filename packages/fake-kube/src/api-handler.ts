import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultObject, keepServerFields, randomSuffix } from './admission.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import { applyPatch } from './patch.js';
import { readJson, send } from './request.js';
import { apiVersionOf, findResource, type ResourceDef } from './resources.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  methodNotAllowed,
  notFound,
  pathNotFound,
  success,
} from './status.js';
import { validateObject } from './validate.js';
import { serveWatch } from './watch.js';

/** What the API layer asks of the rest of the fake cluster (allocators, kubelet, logs). */
export interface ApiHooks {
  /** Before an object is stored (Service allocation); may throw a Status. */
  beforeWrite(def: ResourceDef, obj: KubeObject, old?: KubeObject): Promise<void>;
  /** Deletes an object; a pod may linger while it terminates (returned with deletionTimestamp). */
  remove(def: ResourceDef, obj: KubeObject, gracePeriodSeconds: number | undefined): KubeObject | undefined;
  podLog(ns: string, name: string, query: URLSearchParams, res: ServerResponse): Promise<void>;
}

export interface ApiPath {
  def: ResourceDef;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
}

/** `/api/v1/namespaces/ns/pods/web/log` → pods, ns, web, log; undefined for a path the fake does not serve. */
export function parseApiPath(pathname: string): ApiPath | undefined {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '';
  if (segs[0] === 'api' && segs[1] === 'v1') segs.splice(0, 2);
  else if (segs[0] === 'apis' && segs[2] === 'v1') group = segs.splice(0, 3)[1]!;
  else return undefined;
  let namespace: string | undefined;
  if ((segs[0] as string | undefined) === 'namespaces' && segs.length >= 3) {
    namespace = segs[1];
    segs.splice(0, 2);
  }
  const def = findResource(group, segs[0] ?? '');
  if (!def || segs.length > 3) return undefined;
  return { def, namespace, name: segs[1], sub: segs[2] };
}

const target = (def: ResourceDef, name: string) => ({
  group: def.group,
  kind: def.kind,
  plural: def.plural,
  name,
});

export class ApiHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly hooks: ApiHooks,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = parseApiPath(url.pathname);
    if (!path) throw pathNotFound();
    const { def, namespace, name, sub } = path;
    const method = req.method ?? 'GET';
    if (sub === 'log' && def.plural === 'pods' && name && namespace && method === 'GET') {
      this.mustGet(def, namespace, name);
      return this.hooks.podLog(namespace, name, url.searchParams, res);
    }
    if (sub) throw pathNotFound();
    if (!name) return this.collection(req, res, url, def, namespace, method);
    const scope = def.namespaced ? namespace : undefined;
    if (def.namespaced && !namespace) throw pathNotFound();
    if (method === 'GET') return send(res, 200, this.mustGet(def, scope, name));
    if (method === 'PUT')
      return send(res, 200, await this.replace(def, scope, name, (await readJson(req)) as KubeObject));
    if (method === 'PATCH') return send(res, 200, await this.patch(req, def, scope, name));
    if (method === 'DELETE') return this.delete(req, res, url, def, scope, name);
    throw methodNotAllowed();
  }

  private async collection(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    def: ResourceDef,
    ns: string | undefined,
    method: string,
  ) {
    const q = url.searchParams;
    if (method === 'GET' && (q.get('watch') === 'true' || q.get('watch') === '1')) {
      const timeout = q.get('timeoutSeconds');
      return serveWatch(
        this.store,
        {
          plural: def.plural,
          namespace: ns,
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          timeoutSeconds: timeout ? Number(timeout) : undefined,
        },
        res,
      );
    }
    const items = () =>
      this.store.list(
        def.plural,
        ns,
        q.get('labelSelector') ?? undefined,
        q.get('fieldSelector') ?? undefined,
      );
    if (method === 'GET') {
      return send(res, 200, {
        apiVersion: apiVersionOf(def),
        kind: `${def.kind}List`,
        metadata: { resourceVersion: String(this.store.resourceVersion) },
        items: items(),
      });
    }
    if (method === 'POST' && (ns || !def.namespaced))
      return send(res, 201, await this.create(def, ns, (await readJson(req)) as KubeObject));
    if (method === 'DELETE' && ns) {
      const grace = await this.gracePeriod(req, url);
      for (const o of items()) this.hooks.remove(def, o, grace);
      return send(res, 200, {
        apiVersion: apiVersionOf(def),
        kind: `${def.kind}List`,
        metadata: {},
        items: [],
      });
    }
    throw methodNotAllowed();
  }

  private mustGet(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(def.plural, def.namespaced ? ns : undefined, name);
    if (!o) throw notFound(target(def, name));
    return o;
  }

  async create(def: ResourceDef, ns: string | undefined, body: KubeObject): Promise<KubeObject> {
    if (typeof body !== 'object' || body === null)
      throw badRequest('the body of the request must be an object');
    body.metadata ??= { name: '' };
    if (!body.metadata.name && body.metadata.generateName)
      body.metadata.name = body.metadata.generateName + randomSuffix(5);
    if (def.namespaced) {
      if (body.metadata.namespace && body.metadata.namespace !== ns)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      body.metadata.namespace = ns;
      if (!this.store.get('namespaces', undefined, ns!))
        throw notFound({ group: '', kind: 'Namespace', plural: 'namespaces', name: ns! });
    }
    validateObject(def, body);
    const name = body.metadata.name;
    if (this.store.get(def.plural, ns, name)) throw alreadyExists(target(def, name));
    defaultObject(def, body);
    await this.hooks.beforeWrite(def, body);
    return this.store.create(def.plural, body);
  }

  private async replace(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: KubeObject,
  ): Promise<KubeObject> {
    const old = this.mustGet(def, ns, name);
    if (typeof body !== 'object' || body === null)
      throw badRequest('the body of the request must be an object');
    body.metadata ??= { name };
    if (body.metadata.name !== name)
      throw badRequest('the name of the object does not match the name on the URL');
    if (body.metadata.resourceVersion && body.metadata.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(target(def, name));
    body.metadata.namespace = old.metadata.namespace;
    validateObject(def, body);
    defaultObject(def, body);
    keepServerFields(def, body, old);
    await this.hooks.beforeWrite(def, body, old);
    return this.store.update(def.plural, body);
  }

  private async patch(
    req: IncomingMessage,
    def: ResourceDef,
    ns: string | undefined,
    name: string,
  ): Promise<KubeObject> {
    const old = this.mustGet(def, ns, name);
    const patched = applyPatch(old, await readJson(req), req.headers['content-type'] ?? '') as KubeObject;
    patched.metadata = { ...patched.metadata, name, resourceVersion: old.metadata.resourceVersion };
    return this.replace(def, ns, name, patched);
  }

  private async delete(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    def: ResourceDef,
    ns: string | undefined,
    name: string,
  ) {
    const old = this.mustGet(def, ns, name);
    const lingering = this.hooks.remove(def, old, await this.gracePeriod(req, url));
    send(res, 200, lingering ?? success(target(def, name), old.metadata.uid ?? ''));
  }

  /** gracePeriodSeconds from the query or the DeleteOptions body. */
  private async gracePeriod(req: IncomingMessage, url: URL): Promise<number | undefined> {
    const q = url.searchParams.get('gracePeriodSeconds');
    if (q !== null) return Number(q);
    const body = (await readJson(req)) as { gracePeriodSeconds?: number } | undefined;
    return body?.gracePeriodSeconds;
  }
}
