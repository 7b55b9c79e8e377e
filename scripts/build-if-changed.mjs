#!/usr/bin/env node
// `npm start`'s build step: `tsc -b` only when what it builds from changed, then the web UI's own
// check (apps/web/scripts/build-if-changed.mjs). A `tsc -b` that finds every project up to date
// still loads the TypeScript compiler and reads every project: ~1 s of a start that should take
// ≤ 3 s (issue 20 §5).
//
// What tsc builds from: each referenced project's tsconfig.json, package.json and every file
// under the folders its tsconfig includes (src/), tsconfig.base.json, the root
// tsconfig.json and package-lock.json (the dependencies' types), and what the last build wrote
// (each project's tsconfig.tsbuildinfo: a `tsc -b` run by hand, or a dist/ removed, shows there).
// After a `tsc -b` that succeeded, one SHA-256 over their paths, sizes and modification times goes
// to node_modules/.cache/berth/tsc-inputs.json; the next start hashes the same and skips tsc when
// nothing differs. No stamp, a failed build, or a change while it built: tsc -b runs next time.
//   node scripts/build-if-changed.mjs           build what is needed
//   node scripts/build-if-changed.mjs --check   exit 0 when the TypeScript build is up to date, 1 when not
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'node_modules', '.cache', 'berth', 'tsc-inputs.json');
const SKIP = new Set(['dist', 'node_modules']);

/** Every file under `dir` (or `dir` itself), but for dist/, node_modules/ and build info. */
function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    out.push(dir); // a file, or gone: hashed as it is
    return out;
  }
  for (const e of entries) {
    if (SKIP.has(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile() && !e.name.endsWith('.tsbuildinfo')) out.push(path);
  }
  return out;
}

/** The projects `tsc -b` builds: the root tsconfig's references. */
function projects() {
  const root = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  return root.references.map((r) => join(ROOT, r.path));
}

/** One hash over paths, sizes and modification times; `missing` for a file that is not there. */
function statsHash(files) {
  const h = createHash('sha256');
  for (const path of files.sort()) {
    let line = 'missing';
    try {
      const st = statSync(path);
      line = `${st.size} ${st.mtimeMs}`;
    } catch {}
    h.update(`${relative(ROOT, path)} ${line}\n`);
  }
  return h.digest('hex');
}

function sourcesHash() {
  const files = ['tsconfig.json', 'tsconfig.base.json', 'package-lock.json'].map((f) => join(ROOT, f));
  for (const p of projects()) {
    files.push(join(p, 'tsconfig.json'), join(p, 'package.json'));
    const config = JSON.parse(readFileSync(join(p, 'tsconfig.json'), 'utf8'));
    for (const dir of config.include ?? ['src']) walk(join(p, dir), files);
  }
  return statsHash(files);
}

const buildInfoHash = () => statsHash(projects().map((p) => join(p, 'tsconfig.tsbuildinfo')));

/** Why tsc must run, or undefined when the last successful build's inputs are unchanged. */
function staleReason(sources) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'no record of the last build’s inputs';
  }
  if (stamp.sources !== sources) return 'its sources changed';
  if (stamp.buildInfo !== buildInfoHash()) return 'its output changed';
  return undefined;
}

const t = performance.now();
const before = sourcesHash();
const why = staleReason(before);
if (process.argv.includes('--check')) {
  process.stdout.write(why ? `TypeScript: to build (${why})\n` : 'TypeScript: up to date\n');
  process.exit(why ? 1 : 0);
}
if (!why) {
  const ms = Math.round(performance.now() - t);
  process.stdout.write(
    `TypeScript: up to date (its sources did not change, checked in ${ms} ms), tsc -b not run\n`,
  );
} else {
  process.stdout.write(`TypeScript: tsc -b (${why})…\n`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-b'], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  // A file changed while tsc ran may not be in what it built: no stamp, so the next start builds.
  if (sourcesHash() === before) {
    mkdirSync(dirname(STAMP), { recursive: true });
    writeFileSync(STAMP, `${JSON.stringify({ sources: before, buildInfo: buildInfoHash() })}\n`);
  }
}

await import('../apps/web/scripts/build-if-changed.mjs');
