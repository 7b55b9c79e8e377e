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
}

/** Workspaces declared by npm/yarn/pnpm/lerna, else several app directories and no app at the root. */
export function findMonorepo(tree: TreeIndex, rootIsApp: boolean): MonorepoLayout | undefined {
  const declared = declaredWorkspaces(tree);
  if (declared) {
    const dirs = packageDirs(tree).filter((dir) => declared.globs.some((g) => globMatches(g, dir)));
    return { tool: declared.tool, dirs };
  }
  if (rootIsApp) return undefined;
  const dirs = appDirs(tree);
  return dirs.length > 0 ? { tool: 'directories', dirs } : undefined;
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
  for (const f of tree.files) {
    if (depth(f) !== 1) continue;
    const [dir, name] = f.split('/') as [string, string];
    if (APP_MANIFESTS.includes(name) || name.endsWith('.csproj')) dirs.add(dir);
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
