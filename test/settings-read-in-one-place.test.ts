// Settings are read in one place: the server's settings module reads the environment and passes
// values in; no library package and no other server module reads process.env. Checked on the
// syntax tree (TypeScript's parser), so `process.env` inside a string (a Dockerfile's HEALTHCHECK
// line) does not count and a read spelled any other way (`process.env[name]`, destructuring) does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..');

/** The modules whose job is reading settings from the environment. */
const SETTINGS_MODULES = ['apps/server/src/server-config.ts'];

/**
 * Modules that hand berth's own environment on to a child process they start (PATH, HOME, LANG…
 * for a workload, a health-check command, git). That is the child's inheritance, not a setting of
 * berth; each names what it passes on.
 */
const PASSES_ENV_TO_CHILDREN: Record<string, string> = {
  'packages/runtime-process/src/spawn-workload.ts': 'PATH, HOME, LANG… for the workload',
  'packages/host/src/net-health-probe.ts': 'PATH for a health-check command',
  'packages/host/src/version-folders.ts': "PATH, HOME, LANG… and the proxies for a version's install step",
  'packages/builder/src/import-source.ts': "git clone's environment",
  'packages/builder/src/read-git-tree.ts': "git ls-tree/cat-file's environment (detection in place)",
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Lines where `process.env` is used in a TypeScript source. */
function envReads(name: string, text: string): number[] {
  const tree = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === 'env' &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'process'
    ) {
      lines.push(tree.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return lines;
}

function readersIn(...roots: string[]): string[] {
  return roots
    .flatMap((root) => sources(join(repo, root)))
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      // Parsing only files that spell it somewhere keeps the sweep fast.
      return /process\s*\.\s*env/.test(text) && envReads(file, text).length > 0;
    })
    .map((file) => relative(repo, file))
    .sort();
}

const packageRoots = readdirSync(join(repo, 'packages'))
  .map((p) => join('packages', p, 'src'))
  .filter((p) => statSync(join(repo, p), { throwIfNoEntry: false })?.isDirectory());

describe('settings are read in one place', () => {
  it('no package and no server module but the settings module reads process.env', () => {
    const allowed = [...SETTINGS_MODULES, ...Object.keys(PASSES_ENV_TO_CHILDREN)].sort();
    expect(readersIn(...packageRoots, 'apps/server/src')).toEqual(allowed);
  });

  it('the Docker adapter reads none: its settings come from readDockerSettings, called by the server', () => {
    expect(readersIn('packages/runtime-docker/src')).toEqual([]);
  });

  it('sees a read however it is spelled, and not the words inside a string', () => {
    const probe = (source: string) => envReads('probe.ts', source).length;
    expect(probe('const { DOCKER_HOST } = process.env;')).toBe(1);
    expect(probe("const v = process.env['SSH_AUTH_SOCK'];")).toBe(1);
    expect(probe('f(process.env);')).toBe(1);
    expect(probe("const line = `fetch('http://x:'+process.env.PORT)`;")).toBe(0);
    expect(probe('// process.env.DOCKER_HOST')).toBe(0);
  });
});
