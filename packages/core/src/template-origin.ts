import { InvalidInput } from './errors.js';

/**
 * Where a stored template came from: a file of the templates folder (which a reload replaces or
 * removes, and whose folder is the base of the template's relative paths) or the API (which a
 * reload never touches). Stored and shown as text: `file:<path>`, `api`.
 */
export type TemplateOrigin = { kind: 'file'; path: string } | { kind: 'api' };

export const API_ORIGIN: TemplateOrigin = { kind: 'api' };

export function fileOrigin(path: string): TemplateOrigin {
  return { kind: 'file', path };
}

/** `file:/etc/berth/templates/web.yaml` or `api`. */
export function formatTemplateOrigin(origin: TemplateOrigin): string {
  return origin.kind === 'file' ? `file:${origin.path}` : 'api';
}

/** The inverse of formatTemplateOrigin; any other text is refused by name. */
export function parseTemplateOrigin(text: string): TemplateOrigin {
  if (text === 'api') return API_ORIGIN;
  if (text.startsWith('file:') && text.length > 'file:'.length) return fileOrigin(text.slice('file:'.length));
  throw new InvalidInput(`'${text}' is not a template origin (file:<path> or api)`, {
    details: { origin: text },
  });
}

/** The folder of a file template (its relative paths start there); null for one made through the API. */
export function templateFolderOf(origin: TemplateOrigin): string | null {
  if (origin.kind !== 'file') return null;
  const slash = origin.path.lastIndexOf('/');
  return slash > 0 ? origin.path.slice(0, slash) : '.';
}
