import type { Evidence } from '../detection.js';
import type { RepoTree } from '../repo-tree.js';

/** Fast lookups over a `RepoTree`, with each file read (and JSON-parsed) at most once. */
export class TreeIndex {
  readonly files: readonly string[];
  private readonly set: Set<string>;
  private readonly texts = new Map<string, string | undefined>();

  constructor(private readonly tree: RepoTree) {
    this.files = tree.files;
    this.set = new Set(tree.files);
  }

  has(path: string): boolean {
    return this.set.has(path);
  }

  /** The first of `paths` that exists. */
  first(...paths: string[]): string | undefined {
    return paths.find((p) => this.set.has(p));
  }

  text(path: string): string | undefined {
    if (!this.set.has(path)) return undefined;
    if (!this.texts.has(path)) this.texts.set(path, this.tree.read(path));
    return this.texts.get(path);
  }

  json(path: string): Record<string, unknown> | undefined {
    const text = this.text(path);
    if (text === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      return isRecord(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Files whose name ends with `suffix`, at most `maxDepth` directories deep (0 = root). */
  withSuffix(suffix: string, maxDepth = Number.POSITIVE_INFINITY): string[] {
    return this.files.filter((f) => f.endsWith(suffix) && depth(f) <= maxDepth);
  }

  /** Files at the root of the repository. */
  rootFiles(): string[] {
    return this.files.filter((f) => !f.includes('/'));
  }

  /** Whether any file lives under `dir/`. */
  hasDir(dir: string): boolean {
    const prefix = dir + '/';
    return this.files.some((f) => f.startsWith(prefix));
  }
}

export function depth(path: string): number {
  let n = 0;
  for (const ch of path) if (ch === '/') n++;
  return n;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function evidence(file: string, reason: string): Evidence {
  return { file, reason };
}
