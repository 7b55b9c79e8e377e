import { InvalidInput } from './errors.js';

/** DNS-label-like: lowercase letters, digits and dashes, 1–63 chars, starting with a letter. */
const LABEL = /^[a-z][a-z0-9-]{0,62}$/;

export function nameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'must not be empty';
  if (name.length > 63) return 'must be at most 63 characters';
  if (name.includes('/') || name.includes('..')) return "must not contain '/' or '..'";
  if (/[^a-zA-Z0-9-]/.test(name)) return 'may contain only lowercase letters, digits and dashes';
  if (!LABEL.test(name))
    return 'must start with a lowercase letter and contain only lowercase letters, digits and dashes';
  if (name.endsWith('-')) return 'must not end with a dash';
  return null;
}

export function assertName(kind: 'instance' | 'template' | 'node', name: string): string {
  const problem = nameProblem(name);
  if (problem) {
    throw new InvalidInput(`${kind} name '${name}' is invalid: it ${problem}`, {
      code: 'INVALID_NAME',
      details: { field: 'name', value: name },
    });
  }
  return name;
}
