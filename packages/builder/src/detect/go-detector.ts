import { type Candidate, candidate } from './candidate.js';
import { chooseAmong } from './choose-app.js';
import { databasesFor } from './databases.js';
import { sourcePortOf } from './source-port.js';
import { evidence, type TreeIndex } from './tree-index.js';
import { versionIn } from './version.js';

const FRAMEWORKS: [string, string, number][] = [
  ['github.com/gin-gonic/gin', 'gin', 8080],
  ['github.com/labstack/echo', 'echo', 1323],
  ['github.com/go-chi/chi', 'chi', 8080],
  ['github.com/gofiber/fiber', 'fiber', 3000],
];

export function detectGo(tree: TreeIndex, app?: string): Candidate | undefined {
  const mod = tree.text('go.mod');
  if (mod === undefined) return tree.has('go.work') ? detectGoWork(tree, app) : detectLoneGo(tree);
  const requires = requiresOf(mod);
  const fw = frameworkOf(requires);
  const choice = chooseAmong(mainPackages(tree, ''), mainNames, app, 'main package');
  if (choice && 'refusal' in choice) return refusal(choice.refusal, 'go.mod');
  const main = choice?.chosen;
  const hint = sourcePortOf(main ? [tree.text(main.file)] : []);
  return candidate('go', {
    score: Math.min(100, 65 + (main ? 15 : 0) + (fw ? 15 : 0)),
    framework: fw?.[1] ?? null,
    evidence: [
      evidence('go.mod', 'Go module'),
      ...(fw ? [evidence('go.mod', `requires ${fw[0]}`)] : []),
      ...(main ? [evidence(main.file, 'package main')] : []),
    ],
    packageManager: 'go modules',
    runtimeVersion: versionIn(/^go\s+(\d[\d.]*)/m.exec(mod)?.[1], 2),
    install: [['go', 'mod', 'download']],
    build: main ? [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', main.pkg]] : [],
    start: main ? ['/app/server'] : null,
    port: hint.literal ?? fw?.[2] ?? 8080,
    portFromEnv: hint.fromEnv,
    databases: databasesFor(
      'go',
      requires.map((r) => r.replace(/\/v\d+$/, '')),
    ),
    notes: main
      ? choice.note
        ? [choice.note]
        : []
      : ['no package main found (main.go or cmd/<name>/main.go)'],
  });
}

function requiresOf(mod: string): string[] {
  return [...mod.matchAll(/^\s*(?:require\s+)?([\w.-]+\.[a-z]{2,}\/[\w./-]{1,200})\s+v/gm)].map((m) => m[1]!);
}

function frameworkOf(paths: string[]): [string, string, number] | undefined {
  return FRAMEWORKS.find(([path]) => paths.some((r) => r === path || r.startsWith(path + '/')));
}

/** A Go build of the right stack that cannot give what was asked for: refused, as data. */
function refusal(reason: string, file: string): Candidate {
  return candidate('go', { score: 90, port: 8080, refusal: reason, evidence: [evidence(file, 'Go')] });
}

/** A package main of a module: its folder (`./cmd/api`), the module's folder, its main file. */
interface MainPackage {
  file: string;
  pkg: string;
  /** The module's folder in a workspace ('' for the root). */
  module: string;
}

/**
 * The packages to build, as Go lays them out: the module's root when it holds main.go, and each
 * cmd/<name>/main.go — one module may make several programs (`cmd/api`, `cmd/worker`).
 */
function mainPackages(tree: TreeIndex, module: string): MainPackage[] {
  const prefix = module ? `${module}/` : '';
  const found: MainPackage[] = [];
  if (tree.has(`${prefix}main.go`))
    found.push({ file: `${prefix}main.go`, pkg: module ? `./${module}` : '.', module });
  for (const f of tree.files)
    if (f.startsWith(`${prefix}cmd/`) && /^cmd\/[\w-]{1,60}\/main\.go$/.test(f.slice(prefix.length)))
      found.push({ file: f, pkg: `./${f.slice(0, -'/main.go'.length)}`, module });
  return found;
}

/** What --app may call a main package: its folder, its last folder's name, its module's folder. */
function mainNames(m: MainPackage): string[] {
  const dir = m.pkg === '.' ? '.' : m.pkg.slice(2);
  const own = dir.split('/').pop()!;
  return [m.pkg, dir, own, ...(m.module && m.pkg === `./${m.module}` ? [m.module] : [])];
}

/** `package main` in a file: the first lines say so (after comments and build tags). */
function isMainPackage(text: string | undefined): boolean {
  return /^package\s+main\b/m.test((text ?? '').slice(0, 4096));
}

/**
 * A lone `main.go` without `go.mod` (GOPATH-era code and snippets): still Go. It is built after
 * `go mod init`, with `go mod tidy` fetching what it imports.
 */
function detectLoneGo(tree: TreeIndex): Candidate | undefined {
  const files = tree.files.filter((f) => f.endsWith('.go') && !f.includes('/') && !f.endsWith('_test.go'));
  const main = files.includes('main.go') ? 'main.go' : files.find((f) => isMainPackage(tree.text(f)));
  if (!main || !isMainPackage(tree.text(main))) return undefined;
  const text = tree.text(main) ?? '';
  const imports = [...text.slice(0, 8192).matchAll(/"([\w.-]+\.[a-z]{2,}\/[\w./-]{1,200})"/g)].map(
    (m) => m[1]!,
  );
  const fw = frameworkOf(imports);
  const hint = sourcePortOf([text]);
  return candidate('go', {
    score: 60 + (fw ? 15 : 0),
    framework: fw?.[1] ?? null,
    evidence: [
      evidence(main, 'package main without go.mod: built after go mod init'),
      ...(fw ? [evidence(main, `imports ${fw[0]}`)] : []),
    ],
    packageManager: 'go modules',
    runtimeVersion: null,
    install: [
      ['go', 'mod', 'init', 'app'],
      ['go', 'mod', 'tidy'],
    ],
    build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', '.']],
    start: ['/app/server'],
    port: hint.literal ?? fw?.[2] ?? 8080,
    portFromEnv: hint.fromEnv,
    databases: databasesFor(
      'go',
      imports.map((r) => r.replace(/\/v\d+$/, '')),
    ),
  });
}

/**
 * A Go workspace (`go.work`): the modules it uses are one build; the program deployed is the one
 * asked for (a module's folder or a cmd/<name>), else the first main package of the first module.
 */
function detectGoWork(tree: TreeIndex, app: string | undefined): Candidate | undefined {
  const work = tree.text('go.work') ?? '';
  const uses = [...work.matchAll(/^\s*(?:use\s+)?\(?\s*(\.\/[\w./-]{0,200}|\.)\s*\)?\s*$/gm)]
    .map((m) => m[1]!.replace(/^\.\/?/, '').replace(/\/$/, ''))
    .filter((d) => !d.includes('..'));
  const modules = uses.filter((dir) => tree.has(dir ? `${dir}/go.mod` : 'go.mod'));
  const choice = chooseAmong(
    modules.flatMap((dir) => mainPackages(tree, dir)),
    mainNames,
    app,
    'main package',
  );
  if (!choice) return undefined;
  if ('refusal' in choice) return refusal(choice.refusal, 'go.work');
  const main = choice.chosen;
  const mod = tree.text(main.module ? `${main.module}/go.mod` : 'go.mod') ?? '';
  const requires = requiresOf(mod);
  const fw = frameworkOf(requires);
  const hint = sourcePortOf([tree.text(main.file)]);
  return candidate('go', {
    score: 90,
    framework: fw?.[1] ?? null,
    evidence: [
      evidence('go.work', `Go workspace of ${uses.length} modules`),
      evidence(main.file, `package main of the module ${main.module || '.'}`),
    ],
    packageManager: 'go modules',
    runtimeVersion: versionIn(/^go\s+(\d[\d.]*)/m.exec(work)?.[1], 2),
    install: [],
    build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', main.pkg]],
    start: ['/app/server'],
    port: hint.literal ?? fw?.[2] ?? 8080,
    portFromEnv: hint.fromEnv,
    databases: databasesFor(
      'go',
      requires.map((r) => r.replace(/\/v\d+$/, '')),
    ),
    notes: choice.note ? [choice.note] : [],
  });
}
