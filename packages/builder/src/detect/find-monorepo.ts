import { parse } from 'yaml';
import type { Monorepo } from '../detection.js';
import { isForeignManifest } from './foreign-manifests.js';
import { depth, isRecord, type TreeIndex } from './tree-index.js';

const APP_MANIFESTS = [
  'package.json',
  'requirements.txt',
  'pyproject.toml',
  'go.mod',
  'Gemfile',
  'composer.json',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'Cargo.toml',
  'Dockerfile',
];

/**
 * The files that make a folder an app of its own stack beside a Node workspace's packages (a
 * Python or Go service in `apps/api`), or one of a stack berth refuses (`mix.exs`), so that asking
 * for it says so.
 */
const STACK_MANIFESTS = [
  'requirements.txt',
  'pyproject.toml',
  'Pipfile',
  'setup.py',
  'manage.py',
  'go.mod',
  'Gemfile',
  'composer.json',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'Cargo.toml',
];

/** Folders outside the workspace globs that hold examples, docs or tests, not services. */
const NOT_SERVICES =
  /^(?:examples?|samples?|docs?|documentation|tests?|e2e|fixtures|scripts|vendor|third_party|node_modules|dist|build|coverage|tmp)$/;

/** Package directories, without their stacks: `detect` fills those in by detecting each one. */
export interface MonorepoLayout {
  tool: Monorepo['tool'];
  dirs: string[];
  /** The tool builds go through: Turborepo or Nx, or the package manager's workspaces; none for plain directories. */
  runner: 'turborepo' | 'nx' | 'workspaces' | null;
}

/**
 * Turborepo (`turbo.json`) or Nx (`nx.json`, `workspace.json`, `project.json`s), workspaces
 * declared by npm/yarn/pnpm/lerna, else several app directories and no app at the root.
 */
export function findMonorepo(tree: TreeIndex, rootIsApp: boolean): MonorepoLayout | undefined {
  const declared = declaredWorkspaces(tree);
  const nx = nxProjects(tree);
  const dirs = declared
    ? packageDirs(tree).filter((dir) => declared.globs.some((g) => globMatches(g, dir)))
    : [];
  const all = [...new Set([...dirs, ...(nx ?? [])])].sort();
  const globs = declared?.globs ?? [];
  if (tree.has('turbo.json') && (declared || all.length > 0))
    return { tool: 'turborepo', dirs: withStackApps(tree, all, globs), runner: 'turborepo' };
  if (nx) return { tool: 'nx', dirs: withStackApps(tree, all, globs), runner: 'nx' };
  if (declared) return { tool: declared.tool, dirs: withStackApps(tree, dirs, globs), runner: 'workspaces' };
  if (rootIsApp) return undefined;
  const apps = appDirs(tree);
  return apps.length > 0 ? { tool: 'directories', dirs: apps, runner: null } : undefined;
}

/** Nx projects: `project.json` folders (the root's own is a standalone app, not a project list) and workspace.json's. */
function nxProjects(tree: TreeIndex): string[] | undefined {
  const nested = tree.files
    .filter((f) => f.endsWith('/project.json') && depth(f) <= 3)
    .map((f) => f.slice(0, -'/project.json'.length));
  const ws = tree.json('workspace.json');
  const listed = isRecord(ws?.projects)
    ? Object.values(ws.projects).filter((v): v is string => typeof v === 'string' && !v.includes('..'))
    : [];
  if (!tree.has('nx.json') && !ws && nested.length === 0) return undefined;
  return [...new Set([...nested, ...listed.map((d) => d.replace(/^\.\//, '').replace(/\/$/, ''))])];
}

function declaredWorkspaces(tree: TreeIndex): { tool: string; globs: string[] } | undefined {
  const pnpm = tree.text('pnpm-workspace.yaml');
  if (pnpm !== undefined) return { tool: 'pnpm-workspace.yaml', globs: strings(safeYaml(pnpm), 'packages') };
  const pkg = tree.json('package.json');
  const ws = pkg?.workspaces;
  const globs = Array.isArray(ws) ? ws : isRecord(ws) ? ws.packages : undefined;
  if (Array.isArray(globs))
    return { tool: 'package.json workspaces', globs: globs.filter((g) => typeof g === 'string') };
  const lerna = tree.json('lerna.json');
  if (lerna) return { tool: 'lerna.json', globs: strings(lerna, 'packages') };
  return undefined;
}

function safeYaml(text: string): unknown {
  try {
    return parse(text.slice(0, 16 * 1024));
  } catch {
    return undefined;
  }
}

function strings(value: unknown, key: string): string[] {
  const list = isRecord(value) ? value[key] : undefined;
  return Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string') : [];
}

function packageDirs(tree: TreeIndex): string[] {
  return tree.files
    .filter((f) => f.endsWith('/package.json') && depth(f) <= 3)
    .map((f) => f.slice(0, -'/package.json'.length));
}

/**
 * The packages, and the folders beside them whose own files are an app of another stack: in a
 * folder the workspace globs match (`apps/api` with a requirements.txt and no package.json), or
 * outside them (`services/api`, one or two levels down, not examples, docs or tests). A folder
 * inside a package is part of it.
 */
function withStackApps(tree: TreeIndex, packages: string[], globs: string[]): string[] {
  const found = new Set<string>();
  for (const f of tree.files) {
    const cut = f.lastIndexOf('/');
    const dir = f.slice(0, cut);
    const name = f.slice(cut + 1);
    if (cut <= 0 || !(STACK_MANIFESTS.includes(name) || isForeignManifest(name))) continue;
    const parts = dir.split('/');
    const inGlobs = globs.some((g) => globMatches(g, dir));
    const service = parts.length <= 2 && parts.every((p) => !p.startsWith('.') && !NOT_SERVICES.test(p));
    if ((inGlobs && parts.length <= 3) || service) found.add(dir);
  }
  const dirs = [...packages];
  // Shallowest first, so that a folder inside an app (apps/api/scripts) stays part of it.
  for (const dir of [...found].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))) {
    if (!dirs.some((d) => dir === d || dir.startsWith(`${d}/`) || d.startsWith(`${dir}/`))) dirs.push(dir);
  }
  return dirs.sort();
}

function appDirs(tree: TreeIndex): string[] {
  const dirs = new Set<string>();
  if (tree.first('settings.gradle', 'settings.gradle.kts', 'go.work')) return [];
  for (const f of tree.files) {
    if (depth(f) !== 1) continue;
    const [dir, name] = f.split('/') as [string, string];
    if (APP_MANIFESTS.includes(name) || /\.(?:cs|fs|vb)proj$/.test(name)) dirs.add(dir);
  }
  return [...dirs].sort();
}

/** Workspace globs: `apps/*`, `packages/**`, `tools/cli`; `!` exclusions are ignored. */
export function globMatches(glob: string, dir: string): boolean {
  if (glob.startsWith('!') || glob.length > 200) return false;
  const body = glob
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split('/')
    .map((part) => (part === '**' ? '.+' : part.split('*').map(escapeRegExp).join('[^/]*')))
    .join('/');
  return new RegExp(`^${body}$`).test(dir);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
