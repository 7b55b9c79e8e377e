#!/usr/bin/env node
// Builds the web UI only when what it is built from changed (`npm start` and the root `npm run
// build` call this; `npm run build -w @berth/web` always builds).
//
// What it is built from is what the last build read: every module Vite bundled that is not in
// node_modules (apps/web/src, and packages/contracts/dist and packages/core/dist through
// @berth/contracts), plus the files that shape a build (index.html, vite.config.ts, package.json,
// tsconfig.json, the root package-lock.json for every dependency) and NODE_ENV. After a build
// their paths and one SHA-256 over paths and contents go to dist/.build-inputs.json, next to the
// output; the next call hashes the same files again and skips the build when nothing differs.
// A missing or unreadable stamp, a listed file gone, or no dist/index.html: it builds.
//   node apps/web/scripts/build-if-changed.mjs           build when needed
//   node apps/web/scripts/build-if-changed.mjs --check   exit 0 when up to date, 1 when not
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const ROOT = resolve(WEB, '../..');
const DIST = join(WEB, 'dist');
const STAMP = join(DIST, '.build-inputs.json');
// Taken before Vite runs (a build sets it in this process); unset is Vite's default, production.
const NODE_ENV = process.env.NODE_ENV || 'production';
/** Read by every build whatever it imports. */
const ALWAYS = [
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/package.json',
  'apps/web/tsconfig.json',
  'package-lock.json',
];

/** One hash over the files (paths from the repository root, sorted) and NODE_ENV; undefined if one is gone. */
export function inputsHash(files) {
  const h = createHash('sha256').update(`NODE_ENV=${NODE_ENV}\n`);
  for (const rel of [...new Set([...ALWAYS, ...files])].sort()) {
    const path = join(ROOT, rel);
    if (!existsSync(path)) return undefined;
    h.update(`${rel}\n`).update(readFileSync(path)).update('\n');
  }
  return h.digest('hex');
}

/** Why the UI must be built, or undefined when the last build's inputs are unchanged. */
export function staleReason() {
  if (!existsSync(join(DIST, 'index.html'))) return 'no built UI';
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'no record of the last build’s inputs';
  }
  if (!Array.isArray(stamp.files) || typeof stamp.hash !== 'string') return 'an unreadable record';
  return inputsHash(stamp.files) === stamp.hash ? undefined : 'its sources changed';
}

/** Builds with the project's vite.config.ts, recording every module the bundle read. */
async function build() {
  const { build: viteBuild } = await import('vite');
  const read = new Set();
  const recorder = {
    name: 'berth-build-inputs',
    generateBundle() {
      for (const id of this.getModuleIds()) {
        const file = id.split('?')[0];
        if (!isAbsolute(file) || file.includes(`${sep}node_modules${sep}`) || !existsSync(file)) continue;
        const rel = relative(ROOT, file);
        if (!rel.startsWith('..')) read.add(rel.split(sep).join('/'));
      }
    },
  };
  await viteBuild({ root: WEB, logLevel: 'warn', plugins: [recorder] });
  const files = [...read].sort();
  writeFileSync(STAMP, `${JSON.stringify({ hash: inputsHash(files), files }, null, 1)}\n`);
  return files.length;
}

const why = staleReason();
if (process.argv.includes('--check')) {
  process.stdout.write(why ? `web UI: to build (${why})\n` : 'web UI: up to date\n');
  process.exit(why ? 1 : 0);
}
if (!why) {
  process.stdout.write('web UI: up to date (its sources did not change), not rebuilt\n');
} else {
  const t = performance.now();
  process.stdout.write(`web UI: building (${why})…\n`);
  const count = await build();
  process.stdout.write(
    `web UI: built from ${count} files in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
  );
}
