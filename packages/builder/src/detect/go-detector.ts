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
  if (mod === undefined) return undefined;
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
