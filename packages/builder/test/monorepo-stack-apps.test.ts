import { describe, expect, it } from 'vitest';
import { detect } from '../src/detect.js';
import { buildContextOf } from '../src/plan/app-folder.js';
import { plan } from '../src/plan.js';
import { memoryTree } from '../src/repo-tree.js';
import { fixedRandom, fixtureTree } from './fixture-tree.js';

/**
 * Issue 18, group 2: a Node monorepo (Turborepo, npm or pnpm workspaces) whose app is written for
 * another stack — a FastAPI or Django service, a Go service — with a small package.json for turbo,
 * without one in a folder the workspace globs match, or outside the globs. `--app` deploys it as
 * its own stack, built from its folder unless it uses files outside it.
 */
const UVICORN = ['sh', '-c', 'exec uvicorn main:app --host 0.0.0.0 --port "$PORT"'];

describe('an app of another stack in a Node monorepo, chosen with --app', () => {
  it('plans a FastAPI app with a package.json for turbo as Python, from its own folder', async () => {
    const tree = await fixtureTree('mono-turbo-python-api');
    for (const app of ['api', 'apps/api', './apps/api/']) {
      const d = detect(tree, { app });
      expect({ stack: d.stack, framework: d.framework, port: d.port, start: d.start }).toEqual({
        stack: 'python',
        framework: 'fastapi',
        port: 8000,
        start: UVICORN,
      });
      expect(d.install).toEqual([['pip', 'install', '--no-cache-dir', '-r', 'requirements.txt']]);
      expect(d.build).toEqual([]);
      expect(d.notes[0]).toBe('deploying apps/api, as asked');
      expect(d.monorepo).toMatchObject({ tool: 'turborepo', app: 'apps/api', context: 'apps/api' });
      expect(d.evidence).toContainEqual({
        file: 'apps/api',
        reason:
          'a python / fastapi app, built by its own stack (not by turbo) from its folder, the build context: it uses no file outside it',
      });
      // The app's own files, named from the repository's root.
      expect(d.evidence).toContainEqual({ file: 'apps/api/main.py', reason: 'FastAPI app "main:app"' });
      expect(d.evidence).toContainEqual({
        file: 'apps/api/requirements.txt',
        reason: 'listens on $PORT, which berth sets (8000)',
      });
    }
  });

  it('lists each app with its stack; without --app the Node app is deployed and the others are named', async () => {
    const d = detect(await fixtureTree('mono-turbo-python-api'));
    expect(d.monorepo?.packages).toEqual([
      { path: 'apps/api', stack: 'python', framework: 'fastapi', deployable: true },
      { path: 'apps/web', stack: 'node', framework: 'next', deployable: true },
      { path: 'apps/worker', stack: null, framework: null, deployable: false },
      { path: 'packages/ui', stack: null, framework: null, deployable: false },
    ]);
    expect(d.monorepo?.app).toBe('apps/web');
    expect(d.monorepo?.context).toBeUndefined();
    expect(d.notes[0]).toBe(
      'deploying apps/web, the only deployable Node app (apps of other stacks, deployed only with --app: apps/api (python / fastapi))',
    );
  });

  it('refuses an app of a stack berth does not build as unsupported, as data', async () => {
    const d = detect(await fixtureTree('mono-turbo-python-api'), { app: 'worker' });
    expect(d.stack).toBeNull();
    expect(d.unsupported?.reason).toBe(
      'the package apps/worker is not a deployable app: apps/worker: unsupported stack: Elixir (Mix) (mix.exs) (deployable: apps/api, apps/web)',
    );
  });

  it('plans a Go service in a folder the workspace globs match, with no package.json', async () => {
    const d = detect(await fixtureTree('mono-npm-go-service'), { app: 'apps/api' });
    expect(d).toMatchObject({
      stack: 'go',
      port: 8081,
      portFromEnv: true,
      install: [['go', 'mod', 'download']],
      build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', '.']],
      start: ['/app/server'],
      monorepo: { tool: 'package.json workspaces', app: 'apps/api', context: 'apps/api' },
    });
    expect(d.evidence[2]?.reason).toMatch(/^a go app, built by its own stack \(not by the workspace\)/);
  });

  it('finds a Django service outside the workspace globs, but not a docs folder', async () => {
    const tree = await fixtureTree('mono-pnpm-django-outside-globs');
    expect(detect(tree).monorepo?.packages.map((p) => p.path)).toEqual(['apps/web', 'services/backend']);
    for (const app of ['backend', 'services/backend']) {
      const d = detect(tree, { app });
      expect(d).toMatchObject({
        stack: 'python',
        framework: 'django',
        start: ['gunicorn', 'backend.wsgi'],
        monorepo: { app: 'services/backend', context: 'services/backend' },
      });
    }
  });

  it('builds from the root an app that installs files from outside its folder, and says why', async () => {
    const d = detect(await fixtureTree('mono-turbo-python-shared-lib'), { app: 'api' });
    expect(d).toMatchObject({
      stack: 'python',
      framework: 'flask',
      start: ['gunicorn', 'app:app'],
      monorepo: { app: 'apps/api', context: '.' },
    });
    expect(d.evidence).toContainEqual({
      file: 'apps/api/requirements.txt',
      reason:
        "uses ../../packages/pylib, outside apps/api: the image is built from the repository's root and the app runs from apps/api",
    });
    const p = plan(d, { name: 'api', random: fixedRandom() });
    expect(p.dockerfile).toContain('COPY [".","./"]\nWORKDIR /app/apps/api\nRUN ["pip","install"');
    expect(buildContextOf(d)).toBe('.');
    // The Node packages' installs stay out of the context.
    expect(p.dockerignore).toContain('\n**/node_modules\n');
  });

  it('builds a Go module that replaces a dependency with a folder outside it from the root', () => {
    const tree = memoryTree({
      'package.json': JSON.stringify({ private: true, workspaces: ['apps/*', 'packages/*'] }),
      'turbo.json': '{}',
      'apps/web/package.json': JSON.stringify({
        name: 'web',
        scripts: { start: 'next start' },
        dependencies: { next: '15' },
      }),
      'apps/api/go.mod':
        'module example.com/api\n\ngo 1.22\n\nreplace example.com/lib => ../../packages/golib\n',
      'apps/api/main.go':
        'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":8090", nil) }\n',
      'packages/golib/go.mod': 'module example.com/lib\n\ngo 1.22\n',
      'packages/golib/lib.go': 'package lib\n',
    });
    const d = detect(tree, { app: 'api' });
    expect(d).toMatchObject({ stack: 'go', port: 8090, monorepo: { app: 'apps/api', context: '.' } });
    expect(d.evidence[2]).toEqual({
      file: 'apps/api/go.mod',
      reason:
        "uses ../../packages/golib, outside apps/api: the image is built from the repository's root and the app runs from apps/api",
    });
    const dockerfile = plan(d, { name: 'api' }).dockerfile ?? '';
    expect(dockerfile).toContain('WORKDIR /src\nENV CGO_ENABLED=0\nCOPY [".","./"]\nWORKDIR /src/apps/api\n');
    expect(dockerfile).not.toContain('go.sum');
  });

  it('refuses an app that uses files outside its folder when its stack is built only from there', () => {
    const tree = memoryTree({
      'package.json': JSON.stringify({ private: true, workspaces: ['apps/*'] }),
      'apps/web/package.json': JSON.stringify({
        name: 'web',
        scripts: { start: 'node s.js' },
        dependencies: { express: '4' },
      }),
      'apps/web/s.js': "require('express')().listen(3000)",
      'apps/api/Cargo.toml':
        '[package]\nname = "api"\n\n[dependencies]\nshared = { path = "../../crates/shared" }\naxum = "0.7"\n',
      'apps/api/src/main.rs': 'fn main() {}\n',
    });
    const listed = detect(tree).monorepo?.packages.find((p) => p.path === 'apps/api');
    expect(listed).toEqual({ path: 'apps/api', stack: 'rust', framework: 'axum', deployable: false });
    expect(detect(tree, { app: 'api' }).unsupported?.reason).toBe(
      'the package apps/api is not a deployable app: apps/api uses ../../crates/shared (apps/api/Cargo.toml), outside its folder: berth builds a rust app of a monorepo from its own folder only (deployable: apps/web)',
    );
  });

  it('takes a package.json whose start script runs Python for turbo’s sake as the Python app it wraps', () => {
    const tree = memoryTree({
      'package.json': JSON.stringify({ private: true, workspaces: ['apps/*'] }),
      'turbo.json': '{}',
      'apps/api/package.json': JSON.stringify({
        name: 'api',
        scripts: { start: 'python app.py', dev: 'python app.py' },
      }),
      'apps/api/app.py': 'from http.server import HTTPServer\n',
    });
    const d = detect(tree, { app: 'api' });
    expect(d).toMatchObject({
      stack: 'python',
      start: ['python', 'app.py'],
      monorepo: { context: 'apps/api' },
    });
  });

  it('without a Node app, deploys nothing unasked and says which app --app can take', () => {
    const tree = memoryTree({
      'package.json': JSON.stringify({
        private: true,
        workspaces: ['apps/*'],
        devDependencies: { turbo: '2' },
      }),
      'turbo.json': '{}',
      'apps/api/requirements.txt': 'flask\n',
      'apps/api/app.py': 'from flask import Flask\napp = Flask(__name__)\n',
    });
    const d = detect(tree);
    expect(d.stack).toBeNull();
    expect(d.notes).toEqual([
      'a monorepo with no app at its root: choose one of its packages to deploy',
      'apps of other stacks, deployed only with --app: apps/api (python / flask)',
    ]);
    expect(() => plan(d, { name: 'x' })).toThrow(/choose one of its packages/);
    expect(detect(tree, { app: 'api' }).stack).toBe('python');
  });

  it('answers data for a folder it cannot build from and for a hostile manifest', () => {
    const tree = memoryTree({
      'package.json': JSON.stringify({ private: true, workspaces: ['apps/*'] }),
      'apps/my api/requirements.txt': 'flask\n',
      'apps/my api/app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      'apps/svc/requirements.txt': `${'-e ../'.repeat(20_000)}\n`,
      'apps/svc/app.py': 'from flask import Flask\napp = Flask(__name__)\n',
    });
    const odd = detect(tree, { app: 'apps/my api' });
    expect(odd.stack).toBeNull();
    expect(odd.unsupported?.reason).toMatch(/apps\/my api is not a folder name berth builds from/);
    const svc = detect(tree, { app: 'svc' });
    expect(svc.stack).toBe('python');
    expect(svc.monorepo?.context).toBe('.');
    expect(() => JSON.stringify(svc)).not.toThrow();
  });

  it('keeps a folder inside a Node app part of it, and hidden or example folders out', () => {
    const tree = memoryTree({
      'package.json': JSON.stringify({ private: true, workspaces: ['apps/*'] }),
      'apps/web/package.json': JSON.stringify({
        name: 'web',
        scripts: { start: 'node s.js' },
        dependencies: { express: '4' },
      }),
      'apps/web/s.js': "require('express')().listen(3000)",
      'apps/web/scripts/requirements.txt': 'requests\n',
      '.github/actions/lint/requirements.txt': 'ruff\n',
      'examples/go-client/go.mod': 'module x\n',
    });
    expect(detect(tree).monorepo?.packages.map((p) => p.path)).toEqual(['apps/web']);
  });
});

describe('plans of an app of another stack', () => {
  it.each([
    ['mono-turbo-python-api', 'api'],
    ['mono-npm-go-service', 'api'],
    ['mono-turbo-python-shared-lib', 'api'],
  ])('%s --app %s', async (fixture, app) => {
    const p = plan(detect(await fixtureTree(fixture), { app }), { name: 'demo', random: fixedRandom() });
    await expect(p.dockerfile).toMatchFileSnapshot(`./__snapshots__/${fixture}--${app}/Dockerfile`);
    await expect(p.compose).toMatchFileSnapshot(`./__snapshots__/${fixture}--${app}/compose.yml`);
  });

  it('is built from the app’s folder, a Node app of the workspace from the root', async () => {
    const tree = await fixtureTree('mono-turbo-python-api');
    expect(buildContextOf(detect(tree, { app: 'api' }))).toBe('apps/api');
    expect(buildContextOf(detect(tree, { app: 'web' }))).toBe('.');
  });
});
