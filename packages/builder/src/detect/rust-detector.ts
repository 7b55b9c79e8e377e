import type { Command } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor, mergeDatabases } from './databases.js';
import { sourcePortOf } from './source-port.js';
import { evidence, type TreeIndex } from './tree-index.js';
import { versionIn } from './version.js';

const FRAMEWORKS: [string, string, number][] = [
  ['actix-web', 'actix', 8080],
  ['rocket', 'rocket', 8000],
  ['axum', 'axum', 3000],
  ['warp', 'warp', 3030],
];

export function detectRust(tree: TreeIndex): Candidate | undefined {
  const cargo = tree.text('Cargo.toml');
  if (cargo === undefined) return undefined;
  const deps = new Set([...cargo.matchAll(/^\s*([\w-]{1,80})\s*=/gm)].map((m) => m[1]!));
  const fw = FRAMEWORKS.find(([crate]) => deps.has(crate));
  const name = /\[package\][^[]{0,2000}?\bname\s*=\s*"([\w-]{1,80})"/.exec(cargo)?.[1];
  const hint = sourcePortOf([tree.text('src/main.rs')]);
  const rocket = fw?.[1] === 'rocket';
  return candidate('rust', {
    score: Math.min(100, 65 + (tree.has('src/main.rs') ? 10 : 0) + (fw ? 20 : 0)),
    framework: fw?.[1] ?? null,
    evidence: [
      evidence('Cargo.toml', 'Cargo package'),
      ...(fw ? [evidence('Cargo.toml', `depends on ${fw[0]}`)] : []),
    ],
    packageManager: 'cargo',
    runtimeVersion: toolchain(tree, cargo),
    build: [
      tree.has('Cargo.lock') ? ['cargo', 'build', '--release', '--locked'] : ['cargo', 'build', '--release'],
    ],
    start: name ? startFor(name, rocket) : null,
    port: rocket ? 8000 : (hint.literal ?? fw?.[2] ?? 8080),
    portFromEnv: rocket || hint.fromEnv,
    databases: mergeDatabases(databasesFor('rust', deps), sqlxFeatures(cargo)),
    notes: name ? [] : ['Cargo.toml has no [package] name (a workspace?)'],
  });
}

/** Rocket reads ROCKET_PORT, so the start command maps PORT onto it. */
function startFor(binary: string, rocket: boolean): Command {
  if (rocket) return ['sh', '-c', `ROCKET_PORT="$PORT" exec /app/${binary}`];
  return [`/app/${binary}`];
}

function sqlxFeatures(cargo: string): ('postgres' | 'mysql')[] {
  const line = /^\s*(?:sqlx|diesel|sea-orm)\s*=[^\n]{0,300}/m.exec(cargo)?.[0] ?? '';
  const out: ('postgres' | 'mysql')[] = [];
  if (/postgres/.test(line)) out.push('postgres');
  if (/mysql/.test(line)) out.push('mysql');
  return out;
}

function toolchain(tree: TreeIndex, cargo: string): string | null {
  const file = tree.text('rust-toolchain.toml') ?? tree.text('rust-toolchain');
  return versionIn(file, 2) ?? versionIn(/^rust-version\s*=\s*"([\d.]+)"/m.exec(cargo)?.[1], 2);
}
