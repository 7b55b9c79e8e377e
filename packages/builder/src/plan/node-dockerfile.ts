import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { DEFAULTS, major, versionOr } from './images.js';
import { writeRuntimeTail } from './runtime-tail.js';
import { writeStaticServer } from './static-dockerfile.js';

const MANIFESTS = [
  'package.json',
  'package-lock.json*',
  'npm-shrinkwrap.json*',
  'yarn.lock*',
  'pnpm-lock.yaml*',
  'bun.lock*',
  '.npmrc*',
  '.yarnrc*',
];
/** Frameworks whose server must be told to listen beyond localhost. */
const NEEDS_HOST = new Set(['astro', 'nuxt', 'sveltekit']);

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
  writeRuntimeTail(w, {
    user: bun ? 'bun' : 'node',
    port: d.port,
    env: {
      NODE_ENV: 'production',
      ...(d.framework && NEEDS_HOST.has(d.framework) ? { HOST: '0.0.0.0' } : {}),
    },
    probe: bun ? 'bun' : 'node',
    healthPath: d.healthPath,
    cmd: d.start,
  });
}
