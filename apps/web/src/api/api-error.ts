import { fieldSentence } from '../lib/validation-words';

/** An API failure in the API's own words: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The server does not have this route yet (an endpoint from a later issue). */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'NOT_FOUND' && this.message.startsWith('No route');
  }
}

/** A person-readable message for anything thrown: the API's message (validation in sentences), never a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    // a request schema's issues ("querystring.from: must not be above to") as sentences
    const issues = Array.isArray(err.details.issues)
      ? (err.details.issues as { field?: string; message?: string }[])
      : [];
    if (issues.length > 0)
      return issues.map((i) => fieldSentence(i.field ?? '', i.message ?? 'is invalid')).join(' ');
    return err.message;
  }
  if (err instanceof TypeError) return 'berth could not be reached; is the server running?';
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}

export function isNotAvailable(err: unknown): boolean {
  return err instanceof ApiError && err.notAvailable;
}
