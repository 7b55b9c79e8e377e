/** A v1 Status as the real API server answers errors, carried as an exception to the HTTP edge. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
  code: number;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export class StatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

interface Target {
  group: string;
  kind: string;
  plural: string;
  name: string;
}

const qualified = (t: Pick<Target, 'group' | 'plural'>) => (t.group ? `${t.plural}.${t.group}` : t.plural);

function failure(
  code: number,
  reason: string,
  message: string,
  details?: KubeStatus['details'],
): StatusError {
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) status.details = details;
  return new StatusError(status);
}

export const notFound = (t: Target) =>
  failure(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, {
    name: t.name,
    group: t.group,
    kind: t.plural,
  });

export const alreadyExists = (t: Target) =>
  failure(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, {
    name: t.name,
    group: t.group,
    kind: t.plural,
  });

export const conflict = (t: Target) =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name: t.name, group: t.group, kind: t.plural },
  );

/** 422 Invalid, as the API server answers an object that fails validation. */
export function invalid(t: Target, causes: StatusCause[]): StatusError {
  const kind = t.group ? `${t.kind}.${t.group}` : t.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const message = `${kind} "${t.name}" is invalid: ${causes.length > 1 ? `[${list}]` : list}`;
  return failure(422, 'Invalid', message, { name: t.name, group: t.group, kind: t.kind, causes });
}

export const badRequest = (message: string) => failure(400, 'BadRequest', message);
export const unauthorized = () => failure(401, 'Unauthorized', 'Unauthorized');
export const serviceUnavailable = (message: string) => failure(503, 'ServiceUnavailable', message);
export const methodNotAllowed = () =>
  failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
export const unsupportedMediaType = (type: string) =>
  failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`,
  );
export const pathNotFound = () =>
  failure(404, 'NotFound', 'the server could not find the requested resource');

export function success(
  t: Target,
  uid: string,
): KubeStatus & { details: NonNullable<KubeStatus['details']> & { uid: string } } {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    message: '',
    reason: '',
    details: { name: t.name, group: t.group, kind: t.plural, uid },
    code: 200,
  };
}
