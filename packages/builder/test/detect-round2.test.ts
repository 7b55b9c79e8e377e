import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../src/detect.js';
import type { Command, Stack } from '../src/detection.js';
import { readRepoTree } from '../src/read-repo-tree.js';
import { memoryTree } from '../src/repo-tree.js';
import { fixtureTree } from './fixture-tree.js';

/**
 * Issue 18's groups, one small project of our own per case: what berth must say about it (stack,
 * framework, port, and the commands it will run). `start`/`build` are checked when given.
 */
interface Expected {
  stack: Stack | null;
  framework: string | null;
  port: number;
  portFromEnv?: boolean;
  pm?: string | null;
  start?: Command | null;
  build?: Command[];
  staticDir?: string | null;
  app?: string;
}

const TSC_ROOT =
  '--outDir .berth/dist --rootDir . --module nodenext --target es2022 --skipLibCheck --esModuleInterop';

export const GROUPS: Record<string, Record<string, Expected>> = {
  '1 node without a start script': {
    'node-ts-index-tsc': {
      stack: 'node',
      framework: null,
      port: 8080,
      portFromEnv: true,
      pm: 'npm',
      start: ['node', '.berth/dist/index.js'],
      build: [['sh', '-c', `node_modules/.bin/tsc index.ts ${TSC_ROOT}; test -f .berth/dist/index.js`]],
    },
    'node-ts-build-script': {
      stack: 'node',
      framework: 'express',
      port: 3000,
      portFromEnv: true,
      start: ['node', 'dist/index.js'],
      build: [['npm', 'run', 'build']],
    },
    'node-ts-tsx-runner': {
      stack: 'node',
      framework: null,
      port: 4000,
      portFromEnv: false,
      start: ['node_modules/.bin/tsx', 'src/server.ts'],
      build: [],
    },
    'node-ts-ts-node': {
      stack: 'node',
      framework: null,
      port: 5000,
      portFromEnv: true,
      start: ['node_modules/.bin/ts-node', 'app.ts'],
    },
    'node-ts-outdir-build': {
      stack: 'node',
      framework: null,
      port: 7000,
      start: ['node', 'build/main.js'],
      build: [['npm', 'run', 'build']],
    },
    'node-ts-no-typescript-dep': {
      stack: 'node',
      framework: null,
      port: 3000,
      portFromEnv: true,
      start: ['node', '.berth/dist/server.js'],
      build: [
        [
          'sh',
          '-c',
          `npx --yes --package typescript@5 tsc server.ts ${TSC_ROOT}; test -f .berth/dist/server.js`,
        ],
      ],
    },
    'node-bun-lockb-module': {
      stack: 'node',
      framework: null,
      port: 3000,
      pm: 'bun',
      start: ['bun', 'index.ts'],
      build: [],
    },
    'node-bun-types-only': {
      stack: 'node',
      framework: null,
      port: 3000,
      portFromEnv: true,
      pm: 'bun',
      start: ['bun', 'src/index.ts'],
    },
    'node-bun-lock-hono': {
      stack: 'node',
      framework: 'hono',
      port: 4001,
      pm: 'bun',
      start: ['bun', 'server.ts'],
    },
    'node-main-no-start': {
      stack: 'node',
      framework: null,
      port: 8000,
      pm: 'npm',
      start: ['node', 'app.js'],
    },
    'node-bin-entry': { stack: 'node', framework: null, port: 5000, start: ['node', 'bin/serve.js'] },
    'node-package-json5': {
      stack: 'node',
      framework: 'express',
      port: 3000,
      pm: 'pnpm',
      start: ['node', 'index.js'],
    },
    'node-package-yaml': {
      stack: 'node',
      framework: 'fastify',
      port: 3100,
      pm: 'pnpm',
      start: ['node', 'src/index.js'],
    },
    'node-src-index-mjs': { stack: 'node', framework: null, port: 9000, start: ['node', 'src/index.mjs'] },
    'node-elysia-bun': {
      stack: 'node',
      framework: 'elysia',
      port: 3000,
      pm: 'bun',
      start: ['bun', 'src/index.ts'],
    },
    'node-koa': { stack: 'node', framework: 'koa', port: 3030, portFromEnv: true, start: ['node', 'app.js'] },
  },
  '2 monorepos and workspaces': {
    'mono-turbo-npm': {
      stack: 'node',
      framework: 'turborepo',
      port: 3000,
      pm: 'npm',
      app: 'apps/docs',
      build: [['node_modules/.bin/turbo', 'run', 'build', '--filter=docs']],
      start: ['next', 'start'],
    },
    'mono-turbo-pnpm': {
      stack: 'node',
      framework: 'turborepo',
      port: 3001,
      pm: 'pnpm',
      app: 'apps/api',
      build: [['node_modules/.bin/turbo', 'run', 'build', '--filter=@acme/api']],
      start: ['node', 'dist/index.js'],
    },
    'mono-nx-integrated': {
      stack: 'node',
      framework: 'nx',
      port: 3333,
      portFromEnv: true,
      app: 'apps/api',
      build: [['node_modules/.bin/nx', 'build', 'api']],
      start: ['node', '../../dist/apps/api/main.js'],
    },
    'mono-nx-package-based': {
      stack: 'node',
      framework: 'nx',
      port: 8080,
      app: 'packages/site',
      build: [['node_modules/.bin/nx', 'build', 'site']],
      start: null,
      staticDir: 'packages/site/dist',
    },
    'mono-nx-workspace-json': {
      stack: 'node',
      framework: 'nx',
      port: 3434,
      app: 'apps/gateway',
      build: [['npx', '--yes', 'nx', 'build', 'gateway']],
      start: ['node', '../../dist/apps/gateway/main.js'],
    },
    'mono-yarn-workspaces': {
      stack: 'node',
      framework: 'vite',
      port: 8080,
      pm: 'yarn',
      app: 'apps/front',
      build: [['yarn', 'workspace', 'front', 'run', 'build']],
      staticDir: 'apps/front/dist',
    },
    'mono-lerna': {
      stack: 'node',
      framework: 'fastify',
      port: 3200,
      app: 'packages/server',
      build: [],
      start: ['node', 'index.js'],
    },
    'mono-root-app-with-packages': {
      stack: 'node',
      framework: 'express',
      port: 8081,
      start: ['node', 'server.js'],
    },
    'mono-nx-inferred': {
      stack: 'node',
      framework: 'nx',
      port: 3000,
      portFromEnv: true,
      app: 'apps/api',
      build: [['node_modules/.bin/nx', 'build', 'api']],
      start: ['node', '../../dist/apps/api/main.js'],
    },
    'mono-libraries-only': { stack: null, framework: null, port: 8080, start: null },
    // Apps of other stacks beside the Node ones (monorepo-stack-apps.test.ts deploys them with
    // --app): without --app the Node app is still the one deployed.
    'mono-turbo-python-api': {
      stack: 'node',
      framework: 'turborepo',
      port: 3000,
      app: 'apps/web',
      build: [['node_modules/.bin/turbo', 'run', 'build', '--filter=web']],
      start: ['next', 'start'],
    },
    'mono-npm-go-service': {
      stack: 'node',
      framework: 'express',
      port: 3000,
      app: 'apps/web',
      start: ['node', 'server.js'],
    },
    'mono-pnpm-django-outside-globs': {
      stack: 'node',
      framework: 'next',
      port: 3000,
      pm: 'pnpm',
      app: 'apps/web',
      build: [['pnpm', '--filter', '@acme/web', 'run', 'build']],
    },
    'mono-turbo-python-shared-lib': {
      stack: 'node',
      framework: 'turborepo',
      port: 3000,
      app: 'apps/web',
      start: ['node', 'index.js'],
    },
    'go-workspace': {
      stack: 'go',
      framework: 'gin',
      port: 8088,
      build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', './api']],
    },
    'java-gradle-multiproject': {
      stack: 'java',
      framework: 'spring-boot',
      port: 8080,
      pm: 'gradle',
      build: [
        ['gradle', '--no-daemon', '-q', '-x', 'test', ':app:build'],
        ['sh', '-c', 'rm -rf build && cp -r app/build build'],
      ],
    },
    // Nx projects without a `build` target: built by the target their serve target names, the
    // first target a build executor runs, or the target name nx.json gives an inferring plugin.
    'mono-nx-serve-build-target': {
      stack: 'node',
      framework: 'nx',
      port: 3100,
      portFromEnv: true,
      app: 'apps/api',
      build: [['node_modules/.bin/nx', 'run', 'api:build-app']],
      start: ['node', '../../dist/apps/api/server.js'],
    },
    'mono-nx-tsc-compile': {
      stack: 'node',
      framework: 'nx',
      port: 7300,
      portFromEnv: true,
      app: 'apps/worker',
      build: [['node_modules/.bin/nx', 'run', 'worker:compile']],
      start: ['node', '../../dist/apps/worker/src/server.js'],
    },
    'mono-nx-plugin-target-name': {
      stack: 'node',
      framework: 'nx',
      port: 8080,
      app: 'apps/web',
      build: [['node_modules/.bin/nx', 'run', 'web:vite:build']],
      start: null,
      staticDir: 'apps/web/dist',
    },
    // Nx 20+: the project's configuration in its package.json's `nx` field; a build target that
    // runs webpack-cli makes what the project's webpack config says.
    'mono-nx-package-json-targets': {
      stack: 'node',
      framework: 'nx',
      port: 3000,
      portFromEnv: true,
      app: 'apps/backend',
      build: [['node_modules/.bin/nx', 'build', '@org/backend']],
      start: ['node', 'dist/main.js'],
    },
    // A command target names what it writes in its `outputs`, as Nx caches it.
    'mono-nx-command-outputs': {
      stack: 'node',
      framework: 'nx',
      port: 3000,
      portFromEnv: true,
      app: 'apps/api',
      build: [['node_modules/.bin/nx', 'run', 'api:build-app']],
      start: ['node', 'build/main.js'],
    },
    'mono-nx-no-build-target': { stack: null, framework: null, port: 8080, start: null, build: [] },
    // One build, several applications: the first is deployed unless --app says otherwise.
    'go-workspace-programs': {
      stack: 'go',
      framework: 'chi',
      port: 8070,
      portFromEnv: true,
      build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', './api']],
    },
    'go-cmd-programs': {
      stack: 'go',
      framework: null,
      port: 8181,
      build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', './cmd/relay']],
    },
    'java-gradle-two-apps': {
      stack: 'java',
      framework: 'spring-boot',
      port: 8080,
      pm: 'gradle',
      build: [
        ['gradle', '--no-daemon', '-q', '-x', 'test', ':services:web:build'],
        ['sh', '-c', 'rm -rf build && cp -r services/web/build build'],
      ],
    },
    'java-maven-multimodule': {
      stack: 'java',
      framework: 'spring-boot',
      port: 8080,
      pm: 'maven',
      build: [
        ['mvn', '-B', '-q', '-DskipTests', '-pl', 'store-web', '-am', 'package'],
        ['sh', '-c', 'rm -rf target && cp -r store-web/target target'],
      ],
      start: ['sh', '-c', 'exec java -Dserver.port="$PORT" -jar /app/app.jar'],
    },
    // Quarkus: the start runs what the build makes — the subproject's fast-jar, or an uber-jar.
    'java-gradle-quarkus-subproject': {
      stack: 'java',
      framework: 'quarkus',
      port: 8080,
      pm: 'gradle',
      build: [
        ['gradle', '--no-daemon', '-q', '-x', 'test', ':service:build'],
        ['sh', '-c', 'rm -rf build && cp -r service/build build'],
      ],
      start: ['sh', '-c', 'exec java -Dquarkus.http.port="$PORT" -jar /app/quarkus-app/quarkus-run.jar'],
    },
    'java-quarkus-uber-jar': {
      stack: 'java',
      framework: 'quarkus',
      port: 8080,
      pm: 'maven',
      build: [['mvn', '-B', '-q', '-DskipTests', 'package']],
      start: ['sh', '-c', 'exec java -Dquarkus.http.port="$PORT" -jar /app/app.jar'],
    },
    'java-gradle-multiproject-groovy': {
      stack: 'java',
      framework: null,
      port: 8080,
      pm: 'gradle',
      start: ['java', '-jar', '/app/app.jar'],
    },
  },
  '3 go without go.mod': {
    'go-lone-main': {
      stack: 'go',
      framework: null,
      port: 8080,
      start: ['/app/server'],
      build: [['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', '.']],
    },
    'go-lone-gin': { stack: 'go', framework: 'gin', port: 9000, start: ['/app/server'] },
    'go-lone-env-port': { stack: 'go', framework: null, port: 3000, portFromEnv: true },
    'go-lone-server-file': { stack: 'go', framework: null, port: 7070 },
  },
  '4 f# and vb .net': {
    'dotnet-fsharp-web': {
      stack: 'dotnet',
      framework: 'aspnetcore',
      port: 8080,
      portFromEnv: true,
      build: [['dotnet', 'publish', 'App.fsproj', '-c', 'Release', '--no-restore', '-o', '/out']],
    },
    'dotnet-fsharp-giraffe-sdk': { stack: 'dotnet', framework: 'aspnetcore', port: 8080, portFromEnv: true },
    'dotnet-fsharp-console': {
      stack: 'dotnet',
      framework: 'console',
      port: 8080,
      start: ['dotnet', 'Tool.dll'],
    },
    'dotnet-vb-web': {
      stack: 'dotnet',
      framework: 'aspnetcore',
      port: 8080,
      start: ['sh', '-c', 'exec dotnet Site.dll --urls "http://0.0.0.0:$PORT"'],
    },
    'dotnet-fsharp-solution': {
      stack: 'dotnet',
      framework: 'aspnetcore',
      port: 8080,
      start: ['sh', '-c', 'exec dotnet ShopApi.dll --urls "http://0.0.0.0:$PORT"'],
    },
  },
  '5 static folders named by config': {
    'static-staticfile-root': { stack: 'static', framework: null, port: 8080, staticDir: 'public' },
    'static-staticfile-nested-root': {
      stack: 'static',
      framework: null,
      port: 8080,
      staticDir: 'build/site',
    },
    'static-staticfile-bare': { stack: 'static', framework: null, port: 8080, staticDir: '.' },
    'static-firebase-public': { stack: 'static', framework: null, port: 8080, staticDir: 'www' },
    'static-netlify-publish': { stack: 'static', framework: null, port: 8080, staticDir: 'site-root' },
  },
  '6 frameworks': {
    'node-react-router-v7': {
      stack: 'node',
      framework: 'react-router',
      port: 3000,
      portFromEnv: true,
      build: [['npm', 'run', 'build']],
      start: ['node_modules/.bin/react-router-serve', './build/server/index.js'],
    },
    'node-react-router-config-only': {
      stack: 'node',
      framework: 'react-router',
      port: 3000,
      staticDir: null,
    },
    'node-react-router-custom-server': {
      stack: 'node',
      framework: 'react-router',
      port: 3000,
      portFromEnv: true,
      start: ['node', 'server.js'],
    },
    'node-react-router-spa': {
      stack: 'node',
      framework: 'react-router',
      port: 8080,
      start: null,
      staticDir: 'build/client',
    },
    'node-tanstack-start': {
      stack: 'node',
      framework: 'tanstack-start',
      port: 3000,
      start: ['node', '.output/server/index.mjs'],
    },
    'node-tanstack-start-vinxi': {
      stack: 'node',
      framework: 'tanstack-start',
      port: 3000,
      build: [['node_modules/.bin/vinxi', 'build']],
    },
    'node-angular': {
      stack: 'node',
      framework: 'angular',
      port: 8080,
      start: null,
      staticDir: 'dist/shop/browser',
    },
    'node-angular-ssr': {
      stack: 'node',
      framework: 'angular',
      port: 4000,
      portFromEnv: true,
      start: ['node', 'dist/ssr-app/server/server.mjs'],
    },
    'node-angular-browser-builder': {
      stack: 'node',
      framework: 'angular',
      port: 8080,
      staticDir: 'dist/legacy',
    },
    'node-expo-web': {
      stack: 'node',
      framework: 'expo',
      port: 8080,
      build: [['node_modules/.bin/expo', 'export', '-p', 'web']],
      staticDir: 'dist',
    },
    'node-vue-cli': { stack: 'node', framework: 'vue-cli', port: 8080, staticDir: 'dist' },
    'node-vite-ssr-server': {
      stack: 'node',
      framework: 'vite',
      port: 5173,
      portFromEnv: true,
      start: ['node', 'server.js'],
      staticDir: null,
    },
    'python-fasthtml': {
      stack: 'python',
      framework: 'fasthtml',
      port: 5001,
      portFromEnv: true,
      start: ['sh', '-c', 'exec uvicorn main:app --host 0.0.0.0 --port "$PORT"'],
    },
    'python-pyramid-ini': {
      stack: 'python',
      framework: 'pyramid',
      port: 6543,
      portFromEnv: false,
      start: ['pserve', 'production.ini'],
    },
    'python-pyramid-script': {
      stack: 'python',
      framework: 'pyramid',
      port: 6543,
      start: ['python', 'app.py'],
    },
    'python-setup-py-tornado': {
      stack: 'python',
      framework: 'tornado',
      port: 8890,
      start: ['python', 'chatdemo.py'],
    },
    'python-tornado': { stack: 'python', framework: 'tornado', port: 8888, start: ['python', 'app.py'] },
    'php-drupal-composer': {
      stack: 'php',
      framework: 'drupal',
      port: 8080,
      start: ['sh', '-c', 'exec php -S "0.0.0.0:$PORT" -t web'],
    },
    'php-drupal-tarball': {
      stack: 'php',
      framework: 'drupal',
      port: 8080,
      start: ['sh', '-c', 'exec php -S "0.0.0.0:$PORT" -t .'],
    },
    'ruby-hanami': { stack: 'ruby', framework: 'hanami', port: 2300, portFromEnv: true },
  },
  '7 evidence names the dependency': {
    'node-cra-react-scripts': {
      stack: 'node',
      framework: 'create-react-app',
      port: 8080,
      staticDir: 'build',
    },
    'node-remix-run-node': {
      stack: 'node',
      framework: 'remix',
      port: 3000,
      start: ['node_modules/.bin/remix-serve', 'build/index.js'],
    },
  },
  '8 ports follow the program': {
    'procfile-gunicorn-bound': { stack: 'python', framework: 'flask', port: 5005, portFromEnv: false },
    'procfile-django-runserver': { stack: 'python', framework: 'django', port: 8001, portFromEnv: false },
    'procfile-gunicorn-default': { stack: 'python', framework: 'flask', port: 5000, portFromEnv: true },
    'procfile-uvicorn-default': { stack: 'python', framework: 'fastapi', port: 8000, portFromEnv: false },
    'procfile-rackup-default': { stack: 'ruby', framework: 'rack', port: 9292, portFromEnv: false },
    'procfile-rackup-port': { stack: 'ruby', framework: 'rack', port: 4000, portFromEnv: false },
    'procfile-node-port-env': { stack: 'node', framework: null, port: 3000, portFromEnv: true },
    'node-express-literal-port': { stack: 'node', framework: 'express', port: 4567, portFromEnv: false },
    'dockerfile-expose-node': { stack: 'node', framework: 'express', port: 5050 },
  },
  'refused stacks stay refused, traps stay traps': {
    // A page's main.js beside its index.html is not a Node server, however generic its name.
    'trap-static-site-with-main-js': {
      stack: 'static',
      framework: null,
      port: 8080,
      staticDir: '.',
      start: null,
    },
    'unsupported-deno': { stack: null, framework: null, port: 8080, start: null },
    'unsupported-haskell': { stack: null, framework: null, port: 8080, start: null },
  },
};

describe.each(Object.entries(GROUPS))('group %s', (_group, cases) => {
  it.each(Object.entries(cases))('%s', async (name, want) => {
    const d = detect(await fixtureTree(name));
    expect({ stack: d.stack, framework: d.framework, port: d.port }).toEqual({
      stack: want.stack,
      framework: want.framework,
      port: want.port,
    });
    if (want.portFromEnv !== undefined) expect(d.portFromEnv).toBe(want.portFromEnv);
    if (want.pm !== undefined) expect(d.packageManager).toBe(want.pm);
    if (want.start !== undefined) expect(d.start).toEqual(want.start);
    if (want.build !== undefined) expect(d.build).toEqual(want.build);
    if (want.staticDir !== undefined) expect(d.staticDir).toBe(want.staticDir);
    if (want.app !== undefined) expect(d.monorepo?.app).toBe(want.app);
    if (d.stack !== null) expect(d.evidence.length).toBeGreaterThan(0);
    else expect(d.unsupported ?? d.monorepo).toBeDefined();
  });
});

describe('monorepos: the app deployed', () => {
  it('deploys the app asked for, by package name or folder, and says so', async () => {
    const tree = await fixtureTree('mono-turbo-npm');
    for (const app of ['web', 'apps/web', './apps/web/']) {
      const d = detect(tree, { app });
      expect(d.monorepo?.app).toBe('apps/web');
      expect(d.build).toEqual([['node_modules/.bin/turbo', 'run', 'build', '--filter=web']]);
      expect(d.notes[0]).toBe('deploying apps/web, as asked');
    }
  });

  it('without --app takes the first deployable app and names the others', async () => {
    const d = detect(await fixtureTree('mono-turbo-npm'));
    expect(d.notes[0]).toBe(
      'deploying apps/docs, the first of 2 deployable apps (apps/docs, apps/web); choose another with --app',
    );
    expect(d.monorepo?.packages.find((p) => p.path === 'packages/ui')?.deployable).toBe(false);
  });

  it('refuses, as data, an app that is not there or is a library', async () => {
    const tree = await fixtureTree('mono-turbo-npm');
    const missing = detect(tree, { app: 'admin' });
    expect(missing.stack).toBeNull();
    expect(missing.unsupported?.reason).toBe(
      "no package 'admin' in this monorepo (deployable: apps/docs, apps/web)",
    );
    const library = detect(tree, { app: 'packages/ui' });
    expect(library.unsupported?.reason).toMatch(/packages\/ui is not a deployable app/);
  });

  it('never plans an Nx workspace as a Next app at its root', async () => {
    const d = detect(await fixtureTree('mono-nx-integrated'));
    expect(d.build.flat()).not.toContain('next');
    expect(d.monorepo?.packages).toEqual([
      { path: 'apps/api', stack: 'node', framework: null, deployable: true },
      { path: 'apps/shop', stack: 'node', framework: 'next', deployable: true },
      { path: 'libs/shared', stack: null, framework: null, deployable: false },
    ]);
    const shop = detect(await fixtureTree('mono-nx-integrated'), { app: 'shop' });
    expect(shop.start).toEqual(['next', 'start', '../../dist/apps/shop']);
  });

  it('says what an Nx app without a build lacks, in the notes and when it is asked for', async () => {
    const tree = await fixtureTree('mono-nx-no-build-target');
    const admin =
      'the Nx project admin has no build target (its targets: lint, test), and no next, vite or webpack config for an Nx plugin to infer one from';
    const portal =
      'the Nx project portal has no build target (its targets: none); vite.config.ts is there, but nx.json does not list @nx/vite/plugin to infer a build from it';
    const d = detect(tree);
    expect(d.notes).toEqual([
      'a monorepo with no app at its root: choose one of its packages to deploy',
      admin,
      portal,
    ]);
    expect(detect(tree, { app: 'admin' }).unsupported?.reason).toBe(
      `the package apps/admin is not a deployable app: ${admin} (deployable: none)`,
    );
  });

  it('builds an Nx app through the target its serve target names, not a build it lacks', async () => {
    const d = detect(await fixtureTree('mono-nx-serve-build-target'));
    expect(d.evidence.map((e) => e.reason)).toContain(
      'Nx project, built by its target build-app (@nx/esbuild:esbuild)',
    );
    expect(d.monorepo?.packages.find((p) => p.path === 'libs/db')?.deployable).toBe(false);
  });

  it('reads an Nx project from its package.json `nx` field, its command build from its webpack config', async () => {
    const d = detect(await fixtureTree('mono-nx-package-json-targets'));
    expect(d.evidence.map((e) => `${e.file}: ${e.reason}`)).toContain(
      'apps/backend/package.json: Nx project, its build target runs a command; webpack.config.js says what it makes',
    );
    expect(d.monorepo?.packages.map((p) => [p.path, p.deployable])).toEqual([
      ['apps/backend', true],
      ['libs/strings', false],
    ]);
  });

  it('a Go workspace and a Gradle multi-project build are one build, not a list of directories', async () => {
    expect(detect(await fixtureTree('go-workspace')).monorepo).toBeUndefined();
    expect(detect(await fixtureTree('java-gradle-multiproject')).monorepo).toBeUndefined();
  });
});

describe('one build, several applications: --app chooses among them', () => {
  it('a Go workspace builds the program asked for, by module folder, cmd name or package path', async () => {
    const tree = await fixtureTree('go-workspace-programs');
    const first = detect(tree);
    expect(first.notes).toEqual([
      'deploying ./api, the first of 3 main packages (./api, ./worker, ./tools/cmd/migrate); choose another with --app',
    ]);
    expect(first.monorepo).toBeUndefined();
    const worker = detect(tree, { app: 'worker' });
    expect(worker).toMatchObject({ stack: 'go', port: 9090, notes: ['deploying ./worker, as asked'] });
    expect(worker.build).toEqual([
      ['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', '/out/app', './worker'],
    ]);
    for (const app of ['migrate', 'tools/cmd/migrate', './tools/cmd/migrate'])
      expect(detect(tree, { app }).build[0]?.at(-1)).toBe('./tools/cmd/migrate');
    expect(detect(tree, { app: 'migrate' }).port).toBe(7000);
  });

  it('a Go module with several programs under cmd/ builds the one asked for', async () => {
    const d = detect(await fixtureTree('go-cmd-programs'), { app: 'relayctl' });
    expect(d).toMatchObject({ stack: 'go', port: 8282 });
    expect(d.build[0]?.at(-1)).toBe('./cmd/relayctl');
  });

  it('a Gradle multi-project or Maven multi-module build builds the application asked for', async () => {
    const tree = await fixtureTree('java-gradle-two-apps');
    expect(detect(tree).notes[0]).toBe(
      'deploying services/web, the first of 2 application subprojects (services/web, services/admin); choose another with --app',
    );
    for (const app of ['admin', 'services/admin', ':services:admin']) {
      const d = detect(tree, { app });
      expect(d.build[0]).toEqual(['gradle', '--no-daemon', '-q', '-x', 'test', ':services:admin:build']);
      expect(d.notes[0]).toBe('deploying services/admin, as asked');
    }
    const maven = detect(await fixtureTree('java-maven-multimodule'), { app: 'store-web' });
    expect(maven.build[0]).toContain('store-web');
    expect(maven.healthPath).toBe('/actuator/health');
  });

  it('refuses, as data, an application that is not there, naming the ones that are', async () => {
    const go = detect(await fixtureTree('go-workspace-programs'), { app: 'shared' });
    expect(go.stack).toBeNull();
    expect(go.unsupported?.reason).toBe(
      "no main package 'shared' here (main packages: ./api, ./worker, ./tools/cmd/migrate)",
    );
    const gradle = detect(await fixtureTree('java-gradle-two-apps'), { app: 'core' });
    expect(gradle.stack).toBeNull();
    expect(gradle.unsupported?.reason).toBe(
      "no application subproject 'core' here (application subprojects: services/web, services/admin)",
    );
    const maven = detect(await fixtureTree('java-maven-multimodule'), { app: 'store-core' });
    expect(maven.unsupported?.reason).toBe(
      "no application module 'store-core' here (application modules: store-web)",
    );
  });
});

describe('evidence says what was found and chosen', () => {
  const reasons = async (name: string) => detect(await fixtureTree(name)).evidence.map((e) => e.reason);

  it('names the dependency itself, not the framework’s name', async () => {
    expect(await reasons('node-cra-react-scripts')).toContain('depends on react-scripts');
    expect((await reasons('node-cra-react-scripts')).join()).not.toMatch(/create-react-app/);
    expect(await reasons('node-remix-run-node')).toContain('depends on @remix-run/node');
    expect(await reasons('node-vue-cli')).toContain('depends on @vue/cli-service');
  });

  it('says how TypeScript runs', async () => {
    expect((await reasons('node-ts-index-tsc')).join()).toMatch(/compiled with tsc into \.berth\/dist/);
    expect((await reasons('node-ts-no-typescript-dep')).join()).toMatch(/fetched by npx/);
    expect(await reasons('node-ts-tsx-runner')).toContain(
      'TypeScript run with tsx (a dependency of the project)',
    );
    expect(await reasons('node-bun-lockb-module')).toContain('TypeScript run by Bun');
    expect(await reasons('node-ts-build-script')).toContain(
      'TypeScript compiled by the "build" script, then node dist/index.js',
    );
  });

  it('says when the command binds to the $PORT berth passes', async () => {
    expect(await reasons('procfile-gunicorn-default')).toContain(
      'gunicorn binds 0.0.0.0:$PORT when PORT is set',
    );
    expect(await reasons('procfile-rackup-default')).toContain('rackup listens on 9292 without -p');
    expect(await reasons('python-fasthtml')).toContain('listens on $PORT, which berth sets (5001)');
    expect(await reasons('procfile-gunicorn-bound')).not.toContain(
      'listens on $PORT, which berth sets (5005)',
    );
  });
});

describe('manifests pnpm reads, and files that are not what they claim', () => {
  it('reads package.json5 with comments, bare keys, single quotes and trailing commas', () => {
    const d = detect(
      memoryTree({
        'package.json5':
          "{ // app\n  name: 'x', scripts: { start: 'node a.js', }, dependencies: { express: '4', }, }",
        'a.js': 'require("express")().listen(3000)',
      }),
    );
    expect(d).toMatchObject({ stack: 'node', framework: 'express', start: ['node', 'a.js'] });
  });

  it('installs a package.yaml or package.json5 project with pnpm, the one manager that reads them', () => {
    const d = detect(
      memoryTree({
        'package.yaml': 'name: y\nmain: index.js\n',
        'index.js': 'require("http").createServer().listen(3000)',
      }),
    );
    expect(d).toMatchObject({ stack: 'node', packageManager: 'pnpm', start: ['node', 'index.js'] });
    expect(d.install).toEqual([
      ['corepack', 'enable'],
      ['pnpm', 'install'],
    ]);
  });

  it('answers data, never throws, for broken or hostile manifests', () => {
    const hostile: Record<string, string>[] = [
      { 'package.json5': "{ name: 'x', /* never closed" },
      { 'package.yaml': 'a: &a [*a, *a, *a]\nb: [*a, *a]\n' },
      { 'package.yaml': '- just\n- a list\n' },
      {
        'package.json': '{"workspaces": 5, "main": {"x": 1}, "bin": [1], "module": null}',
        'turbo.json': '{',
      },
      {
        'nx.json': '{}',
        'apps/a/project.json': '{"targets": {"build": {"options": {"outputPath": "../../etc"}}}}',
      },
      {
        'angular.json': '{"projects": {"../x": {}}}',
        'package.json': '{"dependencies": {"@angular/core": "1"}}',
      },
      { Staticfile: 'root: ../../etc\n', 'index.html': '<h1>' },
      { 'go.work': 'use ../../outside\n' },
      { 'settings.gradle': "include ':../x'\n", gradlew: '' },
      { 'pom.xml': '<modules><module>../etc</module><module>a/../../x</module></modules>' },
      {
        'nx.json':
          '{"plugins": [5, null, {"plugin": "@nx/vite/plugin", "options": {"buildTargetName": "../x"}}]}',
        'apps/a/project.json':
          '{"targets": {"serve": {"options": {"buildTarget": 7}}, "b": {"executor": "nx:run-commands", "outputs": ["{workspaceRoot}/../../etc", 3]}}}',
        'apps/a/vite.config.ts': '',
      },
      {
        'nx.json': '{}',
        'apps/b/package.json':
          '{"name": "b", "nx": {"targets": {"build": {"executor": "@nx/esbuild:esbuild", "options": {"main": "../../etc/x.ts", "outputFileName": "../x.js"}}}}}',
        'apps/c/package.json': '{"name": "c", "nx": [1, 2]}',
      },
    ];
    for (const files of hostile) {
      const d = detect(memoryTree(files));
      expect(JSON.parse(JSON.stringify(d))).toEqual(d);
      expect(JSON.stringify(d)).not.toMatch(/\.\.\/(?:\.\.\/)?(?:etc|outside|x)/);
    }
  });

  it('reads a Node package’s bin/ folder, and skips bin/ and obj/ beside a .NET project only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-bin-'));
    try {
      await mkdir(join(dir, 'bin'));
      await mkdir(join(dir, 'tool', 'bin', 'Debug'), { recursive: true });
      await writeFile(join(dir, 'bin', 'serve.js'), '');
      await writeFile(join(dir, 'tool', 'Tool.csproj'), '<Project />');
      await writeFile(join(dir, 'tool', 'bin', 'Debug', 'Tool.dll'), '');
      const tree = await readRepoTree(dir);
      expect(tree.files).toEqual(['bin/serve.js', 'tool/Tool.csproj']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
