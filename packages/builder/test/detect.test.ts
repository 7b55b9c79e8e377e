import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../src/detect.js';
import type { DbKind, Stack } from '../src/detection.js';
import { readRepoTree } from '../src/read-repo-tree.js';
import { memoryTree } from '../src/repo-tree.js';
import { fixtureTree } from './fixture-tree.js';

interface Expected {
  stack: Stack | null;
  framework: string | null;
  port: number;
  pm?: string | null;
  /** Inclusive confidence range. */
  confidence: [number, number];
  portFromEnv?: boolean;
  version?: string | null;
  databases?: DbKind[];
  staticDir?: string;
}

const CASES: Record<string, Expected> = {
  'node-express': {
    stack: 'node',
    framework: 'express',
    port: 3000,
    pm: 'npm',
    confidence: [90, 100],
    portFromEnv: true,
    version: '20',
    databases: ['postgres'],
  },
  'node-fastify-yarn': {
    stack: 'node',
    framework: 'fastify',
    port: 3000,
    pm: 'yarn',
    confidence: [90, 100],
    databases: ['redis'],
  },
  'node-nestjs-pnpm': {
    stack: 'node',
    framework: 'nestjs',
    port: 3000,
    pm: 'pnpm',
    confidence: [90, 100],
    databases: ['mongodb'],
  },
  'node-next': {
    stack: 'node',
    framework: 'next',
    port: 3000,
    pm: 'npm',
    confidence: [90, 100],
    portFromEnv: true,
  },
  'node-nuxt': { stack: 'node', framework: 'nuxt', port: 3000, pm: 'npm', confidence: [80, 100] },
  'node-remix': { stack: 'node', framework: 'remix', port: 3000, pm: 'npm', confidence: [90, 100] },
  'node-astro': {
    stack: 'node',
    framework: 'astro',
    port: 8080,
    pm: 'npm',
    confidence: [80, 100],
    staticDir: 'dist',
  },
  'node-sveltekit': { stack: 'node', framework: 'sveltekit', port: 3000, pm: 'npm', confidence: [80, 100] },
  'node-vite-spa': {
    stack: 'node',
    framework: 'vite',
    port: 8080,
    pm: 'npm',
    confidence: [80, 100],
    staticDir: 'dist',
  },
  'node-cra': {
    stack: 'node',
    framework: 'create-react-app',
    port: 8080,
    pm: 'yarn',
    confidence: [80, 100],
    staticDir: 'build',
  },
  'node-gatsby': {
    stack: 'node',
    framework: 'gatsby',
    port: 8080,
    pm: 'npm',
    confidence: [80, 100],
    staticDir: 'public',
  },
  'node-bun': {
    stack: 'node',
    framework: 'hono',
    port: 3000,
    pm: 'bun',
    confidence: [90, 100],
    portFromEnv: true,
  },
  'python-django': {
    stack: 'python',
    framework: 'django',
    port: 8000,
    pm: 'pip',
    confidence: [90, 100],
    version: '3.11',
    databases: ['postgres'],
  },
  'python-flask-poetry': {
    stack: 'python',
    framework: 'flask',
    port: 5000,
    pm: 'poetry',
    confidence: [90, 100],
    databases: ['redis'],
  },
  'python-fastapi-uv': {
    stack: 'python',
    framework: 'fastapi',
    port: 8000,
    pm: 'uv',
    confidence: [90, 100],
    version: '3.12',
    databases: ['postgres'],
  },
  'python-flask-pipenv': {
    stack: 'python',
    framework: 'flask',
    port: 5000,
    pm: 'pipenv',
    confidence: [90, 100],
    databases: ['mysql'],
  },
  'python-fastapi-pdm': {
    stack: 'python',
    framework: 'fastapi',
    port: 8000,
    pm: 'pdm',
    confidence: [90, 100],
    databases: ['mongodb'],
  },
  'python-plain': {
    stack: 'python',
    framework: null,
    port: 8000,
    pm: 'pip',
    confidence: [60, 80],
    portFromEnv: true,
  },
  'php-laravel': {
    stack: 'php',
    framework: 'laravel',
    port: 8080,
    pm: 'composer',
    confidence: [90, 100],
    version: '8.2',
    databases: ['postgres', 'redis'],
  },
  'php-symfony': { stack: 'php', framework: 'symfony', port: 8080, pm: 'composer', confidence: [90, 100] },
  'php-wordpress': {
    stack: 'php',
    framework: 'wordpress',
    port: 8080,
    pm: null,
    confidence: [50, 80],
    databases: ['mysql'],
  },
  'php-slim': { stack: 'php', framework: 'slim', port: 8080, pm: 'composer', confidence: [90, 100] },
  'php-vanilla': { stack: 'php', framework: null, port: 8080, pm: null, confidence: [30, 50] },
  'go-gin': {
    stack: 'go',
    framework: 'gin',
    port: 8080,
    pm: 'go modules',
    confidence: [90, 100],
    portFromEnv: true,
    version: '1.22',
    databases: ['postgres'],
  },
  'go-echo': {
    stack: 'go',
    framework: 'echo',
    port: 1323,
    pm: 'go modules',
    confidence: [90, 100],
    version: '1.21',
  },
  'go-chi': {
    stack: 'go',
    framework: 'chi',
    port: 3333,
    pm: 'go modules',
    confidence: [90, 100],
    databases: ['redis'],
  },
  'go-fiber': { stack: 'go', framework: 'fiber', port: 3000, pm: 'go modules', confidence: [90, 100] },
  'go-stdlib': {
    stack: 'go',
    framework: null,
    port: 8080,
    pm: 'go modules',
    confidence: [70, 90],
    portFromEnv: true,
  },
  'ruby-rails': {
    stack: 'ruby',
    framework: 'rails',
    port: 3000,
    pm: 'bundler',
    confidence: [90, 100],
    version: '3.3',
    databases: ['postgres', 'redis'],
  },
  'ruby-sinatra': { stack: 'ruby', framework: 'sinatra', port: 4567, pm: 'bundler', confidence: [85, 100] },
  'ruby-rack': { stack: 'ruby', framework: 'rack', port: 9292, pm: 'bundler', confidence: [85, 100] },
  'java-spring-maven': {
    stack: 'java',
    framework: 'spring-boot',
    port: 8080,
    pm: 'maven',
    confidence: [90, 100],
    version: '17',
    databases: ['postgres'],
  },
  'java-spring-gradle': {
    stack: 'java',
    framework: 'spring-boot',
    port: 8080,
    pm: 'gradle',
    confidence: [90, 100],
    version: '21',
    databases: ['mysql'],
  },
  'java-quarkus': {
    stack: 'java',
    framework: 'quarkus',
    port: 8080,
    pm: 'maven',
    confidence: [90, 100],
    version: '21',
  },
  'dotnet-aspnet': {
    stack: 'dotnet',
    framework: 'aspnetcore',
    port: 8080,
    pm: 'nuget',
    confidence: [90, 100],
    version: '8.0',
    databases: ['postgres'],
  },
  'dotnet-console': {
    stack: 'dotnet',
    framework: 'console',
    port: 8080,
    pm: 'nuget',
    confidence: [70, 90],
    version: '8.0',
  },
  'rust-actix': {
    stack: 'rust',
    framework: 'actix',
    port: 8080,
    pm: 'cargo',
    confidence: [90, 100],
    databases: ['postgres'],
  },
  'rust-rocket': {
    stack: 'rust',
    framework: 'rocket',
    port: 8000,
    pm: 'cargo',
    confidence: [90, 100],
    version: '1.78',
    portFromEnv: true,
  },
  'rust-axum': {
    stack: 'rust',
    framework: 'axum',
    port: 3000,
    pm: 'cargo',
    confidence: [90, 100],
    portFromEnv: true,
    databases: ['redis'],
  },
  'rust-warp': { stack: 'rust', framework: 'warp', port: 3030, pm: 'cargo', confidence: [90, 100] },
  'static-site': {
    stack: 'static',
    framework: null,
    port: 8080,
    pm: null,
    confidence: [40, 60],
    staticDir: '.',
  },
  // Traps and special layouts.
  'trap-node-with-csproj': {
    stack: 'node',
    framework: 'express',
    port: 3000,
    pm: 'npm',
    confidence: [90, 100],
  },
  'trap-python-with-tooling-package-json': {
    stack: 'python',
    framework: 'flask',
    port: 5000,
    pm: 'pip',
    confidence: [90, 100],
  },
  'dockerfile-expose': {
    stack: 'go',
    framework: null,
    port: 9000,
    pm: 'go modules',
    confidence: [90, 100],
    portFromEnv: false,
  },
  'procfile-python': {
    stack: 'python',
    framework: null,
    port: 8000,
    pm: 'pip',
    confidence: [60, 80],
    portFromEnv: true,
  },
  // A Turborepo root deploys its first app (apps/api), built and run through the workspace.
  'monorepo-workspaces': {
    stack: 'node',
    framework: 'turborepo',
    port: 4000,
    pm: 'npm',
    confidence: [90, 100],
  },
  'multi-directory': { stack: null, framework: null, port: 8080, pm: null, confidence: [0, 0] },
  'unsupported-elixir': { stack: null, framework: null, port: 8080, pm: null, confidence: [0, 0] },
};

describe('detect, per fixture', () => {
  it.each(Object.entries(CASES))('%s', async (name, want) => {
    const d = detect(await fixtureTree(name));
    expect({ stack: d.stack, framework: d.framework, port: d.port }).toEqual({
      stack: want.stack,
      framework: want.framework,
      port: want.port,
    });
    if (want.pm !== undefined) expect(d.packageManager).toBe(want.pm);
    expect(d.confidence).toBeGreaterThanOrEqual(want.confidence[0]);
    expect(d.confidence).toBeLessThanOrEqual(want.confidence[1]);
    if (want.portFromEnv !== undefined) expect(d.portFromEnv).toBe(want.portFromEnv);
    if (want.version !== undefined) expect(d.runtimeVersion).toBe(want.version);
    expect(d.databases).toEqual(want.databases ?? []);
    if (want.staticDir !== undefined) expect(d.staticDir).toBe(want.staticDir);
    if (d.stack !== null) expect(d.evidence.length).toBeGreaterThan(0);
  });
});

describe('detect, what it reports beyond the stack', () => {
  it('names mix.exs when the stack is unsupported, instead of guessing Node from a tooling package.json', async () => {
    const d = detect(await fixtureTree('unsupported-elixir'));
    expect(d.unsupported?.found).toEqual(['mix.exs']);
    expect(d.unsupported?.reason).toMatch(/Elixir/);
  });

  it('reports an empty repository as unsupported: "no files"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-empty-'));
    try {
      const d = detect(await readRepoTree(dir));
      expect(d.stack).toBeNull();
      expect(d.unsupported).toEqual({ reason: 'no files', found: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the packages of a workspace monorepo, each with its own stack, and the app it deploys', async () => {
    const d = detect(await fixtureTree('monorepo-workspaces'));
    expect(d.monorepo).toEqual({
      tool: 'turborepo',
      packages: [
        { path: 'apps/api', stack: 'node', framework: 'express', deployable: true },
        { path: 'apps/web', stack: 'node', framework: 'next', deployable: true },
        { path: 'packages/ui', stack: 'node', framework: null, deployable: false },
      ],
      app: 'apps/api',
    });
  });

  it('recognises several apps side by side without a workspace file', async () => {
    const d = detect(await fixtureTree('multi-directory'));
    expect(d.monorepo?.packages).toEqual([
      { path: 'backend', stack: 'python', framework: 'fastapi' },
      { path: 'frontend', stack: 'node', framework: 'vite' },
    ]);
  });

  it('prefers an existing Dockerfile: its EXPOSE and CMD', async () => {
    const d = detect(await fixtureTree('dockerfile-expose'));
    expect(d.dockerfile).toEqual({
      path: 'Dockerfile',
      from: ['golang:1.22-alpine', 'alpine:3.20'],
      exposedPorts: [9000],
      cmd: ['/usr/local/bin/app', '--listen', ':9000'],
      entrypoint: null,
    });
    expect(d.start).toEqual(['/usr/local/bin/app', '--listen', ':9000']);
  });

  it("honours a Procfile's web entry", async () => {
    const d = detect(await fixtureTree('procfile-python'));
    expect(d.start).toEqual(['sh', '-c', 'gunicorn app:application --workers 2 --bind 0.0.0.0:$PORT']);
    expect(d.evidence).toContainEqual({ file: 'Procfile', reason: 'web process' });
  });

  it('points at the stray .csproj nowhere in the evidence of a Node app', async () => {
    const d = detect(await fixtureTree('trap-node-with-csproj'));
    expect(d.evidence.map((e) => e.file)).not.toContain('tools/codegen/Codegen.csproj');
  });

  it('warns when Fastify would listen on localhost only', () => {
    const d = detect(
      memoryTree({
        'package.json': JSON.stringify({ dependencies: { fastify: '4' }, scripts: { start: 'node app.js' } }),
        'app.js': "import F from 'fastify'; await F().listen({ port: 3000 });",
      }),
    );
    expect(d.notes.join()).toMatch(/127\.0\.0\.1/);
  });

  it('stays linear on adversarial input', () => {
    const hostile = 'PORT '.repeat(20_000) + '('.repeat(20_000) + ' '.repeat(50_000);
    const started = performance.now();
    detect(
      memoryTree({
        'package.json': JSON.stringify({ dependencies: { express: '4' }, scripts: { start: 'node a.js' } }),
        'a.js': hostile,
        'requirements.txt': `${'a'.repeat(50_000)}\n${'"'.repeat(50_000)}`,
        Dockerfile: `${'\\\n'.repeat(20_000)}EXPOSE ${'1 '.repeat(20_000)}`,
      }),
    );
    // Linear input takes ~60 ms here; a backtracking pattern would take minutes. The bound leaves a busy machine room.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
