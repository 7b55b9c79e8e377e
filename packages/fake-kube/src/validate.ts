import type { ResourceDef } from './resources.js';
import { invalid, type StatusCause } from './status.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`, the API's field path. */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, seg) => (/^\d+$/.test(seg) ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg), '');
}

function valueAt(obj: unknown, pointer: string): unknown {
  let v: unknown = obj;
  for (const seg of pointer.split('/').filter(Boolean)) v = (v as Record<string, unknown> | undefined)?.[seg];
  return v;
}

function causeOf(obj: unknown, e: AjvError): StatusCause {
  if (e.keyword === 'required') {
    const missing = String(e.params?.missingProperty ?? '');
    const field = fieldPath(`${e.instancePath}/${missing}`);
    return { reason: 'FieldValueRequired', message: 'Required value', field };
  }
  const field = fieldPath(e.instancePath);
  const value = JSON.stringify(valueAt(obj, e.instancePath));
  const detail =
    e.keyword === 'type' ? `must be of type ${String(e.params?.type)}` : (e.message ?? 'is invalid');
  return {
    reason: e.keyword === 'type' ? 'FieldValueTypeInvalid' : 'FieldValueInvalid',
    message: `Invalid value: ${value}: ${field} in body ${detail}`,
    field,
  };
}

/**
 * Checks `obj` against the kind's real OpenAPI schema (kubernetes-models' compiled validators) and
 * throws the API server's 422 Status with one cause per schema error.
 */
export function validateObject(def: ResourceDef, obj: Record<string, unknown>): void {
  const name = String((obj.metadata as { name?: unknown } | undefined)?.name ?? '');
  try {
    def.validate(obj);
  } catch (e) {
    const errors = (e as { errors?: AjvError[] }).errors;
    if (!errors) throw e;
    throw invalid(
      { group: def.group, kind: def.kind, plural: def.plural, name },
      errors.map((err) => causeOf(obj, err)),
    );
  }
}
