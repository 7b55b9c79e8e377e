import { readFileSync, statSync } from 'node:fs';
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoTree } from './repo-tree.js';

/** Directories that hold dependencies or build output, never the app's own description. */
const SKIPPED = new Set([
  'node_modules',
  '.git',
  'vendor',
  'target',
  '.venv',
  'venv',
  '__pycache__',
  '.next',
  '.nuxt',
]);
/** .NET's build output folders: skipped beside a project file only (a Node package's bin/ holds its commands). */
const DOTNET_OUTPUT = new Set(['bin', 'obj']);
const DOTNET_PROJECT = /\.(?:cs|fs|vb)proj$/;

/** Whether a folder of this name holds dependencies or build output (never listed). */
export function skippedDir(name: string): boolean {
  return SKIPPED.has(name);
}

export interface ReadRepoTreeOptions {
  /** Stop listing after this many files (default 5000). */
  maxFiles?: number;
  /** `read` returns undefined for files larger than this (default 256 KiB). */
  maxFileBytes?: number;
  /** How many directories deep to look (default 6). */
  maxDepth?: number;
}

export interface DiskRepoTree extends RepoTree {
  /** True when `maxFiles` cut the listing short. */
  readonly truncated: boolean;
}

/**
 * Lists a checked-out repository for `detect`. Symbolic links are not followed (a repository
 * could point one at /etc), and contents are read lazily, only for files detection asks about.
 */
export async function readRepoTree(dir: string, options: ReadRepoTreeOptions = {}): Promise<DiskRepoTree> {
  const maxFiles = options.maxFiles ?? 5000;
  const maxBytes = options.maxFileBytes ?? 256 * 1024;
  const files: string[] = [];
  const truncated = await walk(dir, '', options.maxDepth ?? 6, maxFiles, files);
  files.sort();
  const listed = new Set(files);
  const read = (path: string): string | undefined => {
    if (!listed.has(path)) return undefined;
    try {
      const full = join(dir, path);
      if (statSync(full).size > maxBytes) return undefined;
      return readFileSync(full, 'utf8');
    } catch {
      return undefined;
    }
  };
  return { files, read, truncated };
}

/** Breadth-first within a directory so root files are always listed; returns whether it stopped early. */
async function walk(
  root: string,
  rel: string,
  depthLeft: number,
  max: number,
  out: string[],
): Promise<boolean> {
  const subdirs: string[] = [];
  let dotnet = false;
  const handle = await opendir(join(root, rel));
  for await (const entry of handle) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isFile()) {
      if (out.length >= max) return true;
      out.push(path);
      if (DOTNET_PROJECT.test(entry.name)) dotnet = true;
    } else if (entry.isDirectory() && !SKIPPED.has(entry.name) && depthLeft > 0) {
      subdirs.push(path);
    }
  }
  if (dotnet) {
    const kept = subdirs.filter((d) => !DOTNET_OUTPUT.has(d.slice(d.lastIndexOf('/') + 1)));
    subdirs.length = 0;
    subdirs.push(...kept);
  }
  for (const sub of subdirs.sort()) {
    if (await walk(root, sub, depthLeft - 1, max, out)) return true;
  }
  return false;
}
