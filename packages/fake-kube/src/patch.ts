import { badRequest, unsupportedMediaType } from './status.js';

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else (lists too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge keys of the lists berth's objects use, from the Kubernetes API's
 * `x-kubernetes-patch-merge-key` (containers by name, ports by containerPort or port…).
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  conditions: 'type',
};

/** Strategic merge patch: a merge patch where lists with a merge key merge item by item, and `$patch: delete` removes one. */
export function strategicMergePatch(target: Json, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) return mergeList(target, patch, field);
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, k);
  }
  return out;
}

function mergeList(target: Json, patch: Json[], field: string): Json {
  const mergeKey = MERGE_KEYS[field] ?? (field === 'ports' ? portKeyOf(patch) : undefined);
  if (!mergeKey || !Array.isArray(target)) return patch.filter((p) => !(isObj(p) && p.$patch === 'delete'));
  const out = [...target];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const at = out.findIndex((t) => isObj(t) && t[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMergePatch(out[at], item);
    else out.push(item);
  }
  return out;
}

/** Container ports merge on containerPort, Service ports on port. */
const portKeyOf = (patch: Json[]) =>
  patch.some((p) => isObj(p) && 'containerPort' in p) ? 'containerPort' : 'port';

interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
}

/** RFC 6902 JSON patch (add, replace, remove, test) — what @kubernetes/client-node sends when told nothing else. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch must be a list of operations');
  const doc = structuredClone(target);
  for (const op of ops as JsonPatchOp[]) {
    const segs = op.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segs.pop();
    if (last === undefined) throw badRequest(`json patch path "${op.path}" is empty`);
    let parent = doc as Obj | Json[];
    for (const s of segs) parent = (parent as Obj)[s] as Obj;
    if (parent === undefined) throw badRequest(`json patch path "${op.path}" does not exist`);
    applyOp(parent, last, op);
  }
  return doc;
}

function applyOp(parent: Obj | Json[], last: string, op: JsonPatchOp): void {
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (op.op === 'add') parent.splice(i, 0, op.value);
    else if (op.op === 'remove') parent.splice(i, 1);
    else if (op.op === 'replace') parent[i] = op.value;
    else if (op.op === 'test' && JSON.stringify(parent[i]) !== JSON.stringify(op.value))
      throw badRequest('test failed');
    return;
  }
  if (op.op === 'add' || op.op === 'replace') parent[last] = op.value;
  else if (op.op === 'remove') delete parent[last];
  else if (op.op === 'test' && JSON.stringify(parent[last]) !== JSON.stringify(op.value))
    throw badRequest('test failed');
}

/** Applies a PATCH body by its Content-Type, as the API server does. */
export function applyPatch(target: Json, body: Json, contentType: string): Json {
  const type = contentType.split(';')[0]!.trim();
  if (type === 'application/merge-patch+json') return mergePatch(target, body);
  if (type === 'application/strategic-merge-patch+json') return strategicMergePatch(target, body);
  if (type === 'application/json-patch+json') return jsonPatch(target, body);
  throw unsupportedMediaType(type);
}
