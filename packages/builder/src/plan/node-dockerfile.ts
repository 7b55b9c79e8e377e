import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { DEFAULTS, major, versionOr } from './images.js';
import { safeDir, writeRuntimeTail } from './runtime-tail.js';
import { writeStaticServer } from './static-dockerfile.js';

const MANIFESTS = [
  // package.json5 and package.yaml too (pnpm reads them when there is no package.json).
  'package.json*',
  'package.yaml*',
  'package-lock.json*',
  'npm-shrinkwrap.json*',
  'yarn.lock*',
  'pnpm-lock.yaml*',
  'bun.lock*',
  '.npmrc*',
  '.yarnrc*',
];
/** The PATH of the node and bun images. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Frameworks whose server must be told to listen beyond localhost. */
const NEEDS_HOST = new Set(['astro', 'nuxt', 'sveltekit', 'tanstack-start']);

export function nodeDockerfile(w: DockerfileWriter, d: Detection): void {
  const bun = d.packageManager === 'bun';
  const image = bun ? 'oven/bun:1' : `node:${major(versionOr(d.runtimeVersion, DEFAULTS.node))}-slim`;
  const builds = d.build.length > 0;
  const stage = builds || d.staticDir ? 'build' : undefined;
  w.comment(
    stage ? 'Stage 1: install every dependency and build.' : 'Install dependencies, then add the app.',
  );
  w.from(image, stage).workdir('/app');
  if (d.monorepo) {
    w.comment('A workspace: every package.json is needed before installing.').copy(['.'], './');
    for (const c of d.install) w.run(c);
  } else {
    w.comment('Manifests first, so the install layer is reused until dependencies change.').copy(
      MANIFESTS,
      './',
    );
    for (const c of d.install) w.run(c);
    w.copy(['.'], './');
  }
  for (const c of d.build) w.run(c);
  if (stage) w.blank();
  if (d.staticDir) {
    writeStaticServer(w, d, 'build');
    return;
  }
  if (!d.start) throw new Error('unreachable: plan checks start');
  if (stage) {
    w.comment('Stage 2: the runtime image, with the built app.').from(image).workdir('/app');
    w.copy(['/app'], '/app', { from: stage, chown: bun ? 'bun:bun' : 'node:node' });
  }
  const app = d.monorepo?.app ? safeDir(d.monorepo.app, '.') : '.';
  if (app !== '.') {
    w.blank()
      .comment(`The app of the monorepo runs from its folder, with its own and the root's binaries on PATH.`)
      .workdir(`/app/${app}`)
      .env({ PATH: `/app/${app}/node_modules/.bin:/app/node_modules/.bin:${SYSTEM_PATH}` });
  }
  const framework = d.monorepo?.packages.find((p) => p.path === d.monorepo?.app)?.framework ?? d.framework;
  writeRuntimeTail(w, {
    user: bun ? 'bun' : 'node',
    port: d.port,
    env: {
      NODE_ENV: 'production',
      ...(framework && NEEDS_HOST.has(framework) ? { HOST: '0.0.0.0' } : {}),
    },
    probe: bun ? 'bun' : 'node',
    healthPath: d.healthPath,
    cmd: d.start,
  });
}
