#!/usr/bin/env node
// Packs the CLI as one installable tarball: `npm install -g ./berth-cli-<version>.tgz` puts `berth`
// on the PATH. The @berth/* workspace packages are not on a registry, so their built `dist` goes
// inside the tarball (bundleDependencies); the registry packages they use become the tarball's own
// dependencies, installed beside them. Usage: node apps/cli/scripts/pack.mjs [out-dir]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const outDir = resolve(process.argv[2] ?? process.cwd());
const read = (dir) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
const folders = Object.fromEntries(read('.').workspaces.map((w) => [read(w).name, w]));

/** The version the repository was tested with (its node_modules), so the tarball installs the same. */
function installed(dep, folder) {
  // Node's own lookup: the package's node_modules first, then the root's.
  for (const dir of [join(folder, 'node_modules'), 'node_modules']) {
    const file = join(ROOT, dir, dep, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
  }
  return undefined;
}

/** The workspace packages the CLI needs at run time, and every registry package they need. */
function closure() {
  const local = new Set();
  const external = {};
  const visit = (name) => {
    if (local.has(name)) return;
    local.add(name);
    for (const [dep, range] of Object.entries(read(folders[name]).dependencies ?? {})) {
      if (folders[dep]) visit(dep);
      else external[dep] ??= installed(dep, folders[name]) ?? range;
    }
  };
  visit('@berth/cli');
  local.delete('@berth/cli');
  return { local: [...local].sort(), external };
}

const cli = read('apps/cli');
const { local, external } = closure();
const stage = mkdtempSync(join(tmpdir(), 'berth-pack-'));
try {
  cpSync(join(ROOT, 'apps/cli/dist'), join(stage, 'dist'), { recursive: true });
  // The server serves the UI from ../../../web/dist beside its own dist: bundled as @berth/web.
  const web = existsSync(join(ROOT, 'apps/web/dist')) ? ['@berth/web'] : [];
  for (const name of [...local, ...web]) {
    const pkg = read(folders[name]);
    const to = join(stage, 'node_modules', name);
    mkdirSync(to, { recursive: true });
    cpSync(join(ROOT, folders[name], 'dist'), join(to, 'dist'), { recursive: true });
    // No dependencies of their own: what they import is installed beside them (see below).
    const { dependencies: _, devDependencies: __, scripts: ___, private: ____, ...rest } = pkg;
    writeFileSync(join(to, 'package.json'), JSON.stringify(rest, null, 2));
  }
  const manifest = {
    name: cli.name,
    version: cli.version,
    description: read('.').description,
    type: 'module',
    // The installed package has its dist already: the bin is the CLI itself, not the repository's shim.
    bin: { berth: 'dist/main.js' },
    engines: read('.').engines,
    files: ['dist'],
    // A bundled package must be a dependency too, at the version bundled.
    dependencies: Object.fromEntries(
      [...Object.entries(external), ...[...local, ...web].map((n) => [n, read(folders[n]).version])].sort(),
    ),
    bundleDependencies: [...local, ...web],
  };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  mkdirSync(outDir, { recursive: true });
  const made = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: stage })
    .toString()
    .trim()
    .split('\n')
    .at(-1);
  process.stdout.write(`${join(outDir, made)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
