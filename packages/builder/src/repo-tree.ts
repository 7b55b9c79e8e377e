/**
 * The view of a repository that detection needs: which files exist, and the text of the small
 * ones. Implemented over a directory by `readRepoTree` and over a plain object by `memoryTree`,
 * so detection itself never touches the disk.
 */
export interface RepoTree {
  /** Relative paths with `/` separators, files only. */
  readonly files: readonly string[];
  /** The text of a small file, or `undefined` when it is absent, too large or unreadable. */
  read(path: string): string | undefined;
}

export function memoryTree(contents: Record<string, string>): RepoTree {
  const files = Object.keys(contents).sort();
  return { files, read: (path) => (Object.hasOwn(contents, path) ? contents[path] : undefined) };
}

/** The part of a tree under `dir`, re-rooted, e.g. to detect one package of a monorepo. */
export function subtree(tree: RepoTree, dir: string): RepoTree {
  const prefix = dir.replace(/\/+$/, '') + '/';
  const files = tree.files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length));
  return { files, read: (path) => tree.read(prefix + path) };
}
