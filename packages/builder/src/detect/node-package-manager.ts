import type { Command, Evidence } from '../detection.js';
import { evidence, type TreeIndex } from './tree-index.js';

export type NodePackageManager = 'npm' | 'yarn' | 'pnpm' | 'bun';

export interface NodeTooling {
  name: NodePackageManager;
  evidence: Evidence[];
  install: Command[];
  /** How to run a package.json script by name (names are ours, never the repository's). */
  run(script: 'build' | 'start' | 'start:prod'): Command;
}

const LOCKFILES: [string, NodePackageManager][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['bun.lockb', 'bun'],
  ['bun.lock', 'bun'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/** `declaredWins`: the declared manager is used whatever lockfile is there (Bun runs the app). */
export function nodeTooling(
  tree: TreeIndex,
  declared: string | undefined,
  declaredWins = false,
): NodeTooling {
  const fromField = /^(npm|yarn|pnpm|bun)@/.exec(declared ?? '')?.[1] as NodePackageManager | undefined;
  const lock = LOCKFILES.find(([file, pm]) => tree.has(file) && (!declaredWins || pm === fromField));
  const name = lock?.[1] ?? fromField ?? 'npm';
  const found: Evidence[] = lock
    ? [evidence(lock[0], `lockfile of ${name}`)]
    : fromField
      ? [evidence('package.json', `"packageManager" names ${fromField}`)]
      : [];
  return {
    name,
    evidence: found,
    install: installCommands(name, tree, declared, lock !== undefined),
    run: runner(name),
  };
}

function installCommands(
  name: NodePackageManager,
  tree: TreeIndex,
  declared: string | undefined,
  locked: boolean,
): Command[] {
  switch (name) {
    case 'npm':
      return [locked ? ['npm', 'ci'] : ['npm', 'install']];
    case 'pnpm':
      return [
        ['corepack', 'enable'],
        locked ? ['pnpm', 'install', '--frozen-lockfile'] : ['pnpm', 'install'],
      ];
    case 'bun':
      return [locked ? ['bun', 'install', '--frozen-lockfile'] : ['bun', 'install']];
    case 'yarn': {
      const berry = tree.has('.yarnrc.yml') || /^yarn@[2-9]/.test(declared ?? '');
      if (berry)
        return [
          ['corepack', 'enable'],
          ['yarn', 'install', '--immutable'],
        ];
      return [locked ? ['yarn', 'install', '--frozen-lockfile'] : ['yarn', 'install']];
    }
  }
}

function runner(name: NodePackageManager): NodeTooling['run'] {
  switch (name) {
    case 'npm':
      return (script) => ['npm', 'run', script];
    case 'pnpm':
      return (script) => ['pnpm', 'run', script];
    case 'yarn':
      return (script) => ['yarn', 'run', script];
    case 'bun':
      return (script) => ['bun', 'run', script];
  }
}
