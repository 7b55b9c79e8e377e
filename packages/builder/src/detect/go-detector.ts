import { type Candidate, candidate } from './candidate.js';
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

export function detectGo(tree: TreeIndex): Candidate | undefined {
  const mod = tree.text('go.mod');
  if (mod === undefined) return tree.has('go.work') ? detectGoWork(tree) : detectLoneGo(tree);
  const requires = [...mod.matchAll(/^\s*(?:require\s+)?([\w.-]+\.[a-z]{2,}\/[\w./-]{1,200})\s+v/gm)].map(
    (m) => m[1]!,
  );
  const fw = FRAMEWORKS.find(([path]) => requires.some((r) => r === path || r.startsWith(path + '/')));
  const main = mainPackage(tree);
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
    notes: main ? [] : ['no package main found (main.go or cmd/<name>/main.go)'],
  });
}

/** The package to build: the root when it holds main.go, else the first cmd/<name>. */
function mainPackage(tree: TreeIndex): { file: string; pkg: string } | undefined {
  if (tree.has('main.go')) return { file: 'main.go', pkg: '.' };
  const cmd = tree.files.find((f) => /^cmd\/[\w-]{1,60}\/main\.go$/.test(f));
  return cmd ? { file: cmd, pkg: './' + cmd.slice(0, -'/main.go'.length) } : undefined;
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
  const fw = FRAMEWORKS.find(([path]) => imports.some((r) => r === path || r.startsWith(path + '/')));
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

/** A Go workspace (`go.work`): the modules it uses; the first one with a main package is built. */
function detectGoWork(tree: TreeIndex): Candidate | undefined {
  const work = tree.text('go.work') ?? '';
  const uses = [...work.matchAll(/^\s*(?:use\s+)?\(?\s*(\.\/[\w./-]{0,200}|\.)\s*\)?\s*$/gm)]
    .map((m) => m[1]!.replace(/^\.\/?/, '').replace(/\/$/, ''))
    .filter((d) => !d.includes('..'));
  for (const dir of uses) {
    const prefix = dir ? `${dir}/` : '';
    if (!tree.has(`${prefix}go.mod`)) continue;
    const main = tree.has(`${prefix}main.go`)
      ? `${prefix}main.go`
      : tree.files.find(
          (f) => f.startsWith(`${prefix}cmd/`) && /^cmd\/[\w-]{1,60}\/main\.go$/.test(f.slice(prefix.length)),
        );
    if (!main) continue;
    const mod = tree.text(`${prefix}go.mod`) ?? '';
    const requires = [...mod.matchAll(/^\s*(?:require\s+)?([\w.-]+\.[a-z]{2,}\/[\w./-]{1,200})\s+v/gm)].map(
      (m) => m[1]!,
    );
    const fw = FRAMEWORKS.find(([path]) => requires.some((r) => r === path || r.startsWith(path + '/')));
    const hint = sourcePortOf([tree.text(main)]);
    const pkg = './' + main.slice(0, -'/main.go'.length);
    return candidate('go', {
      score: 90,
      framework: fw?.[1] ?? null,
      evidence: [
        evidence('go.work', `Go workspace of ${uses.length} modules`),
        evidence(main, `package main of the module ${dir || '.'}`),
      ],
      packageManager: 'go modules',
      runtimeVersion: versionIn(/^go\s+(\d[\d.]*)/m.exec(work)?.[1], 2),
      install: [],
      build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', pkg === './' ? '.' : pkg]],
      start: ['/app/server'],
      port: hint.literal ?? fw?.[2] ?? 8080,
      portFromEnv: hint.fromEnv,
      databases: databasesFor(
        'go',
        requires.map((r) => r.replace(/\/v\d+$/, '')),
      ),
    });
  }
  return undefined;
}
