import { parse } from 'yaml';
import type { Monorepo } from '../detection.js';
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
  if (tree.has('turbo.json') && (declared || all.length > 0))
    return { tool: 'turborepo', dirs: all, runner: 'turborepo' };
  if (nx) return { tool: 'nx', dirs: all, runner: 'nx' };
  if (declared) return { tool: declared.tool, dirs, runner: 'workspaces' };
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
