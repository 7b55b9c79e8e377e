import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { COMPOSER_IMAGE, DEFAULTS, versionOr } from './images.js';
import { writeRuntimeTail } from './runtime-tail.js';

/** PDO drivers per database, compiled with the helper the official image ships. */
const EXTENSIONS: Record<string, string> = {
  mysql: 'docker-php-ext-install pdo_mysql mysqli',
  postgres:
    'apt-get update && apt-get install -y --no-install-recommends libpq-dev && docker-php-ext-install pdo_pgsql pgsql && rm -rf /var/lib/apt/lists/*',
};

export function phpDockerfile(w: DockerfileWriter, d: Detection): void {
  const version = versionOr(d.runtimeVersion, DEFAULTS.php);
  const composer = d.install.length > 0;
  if (composer) {
    w.comment('Stage 1: Composer installs the dependencies. Extensions live in the runtime image,')
      .comment('so platform requirements are checked there, not here.')
      .from(COMPOSER_IMAGE, 'vendor')
      .workdir('/app')
      .copy(['.'], './');
    for (const c of d.install) w.run([...c, '--ignore-platform-reqs']);
    w.blank().comment('Stage 2: the runtime.');
  }
  w.from(`php:${version}-cli`).workdir('/app');
  for (const db of d.databases) {
    const script = EXTENSIONS[db];
    if (script) w.runScript(script);
  }
  if (composer) w.copy(['/app'], '/app', { from: 'vendor', chown: 'www-data:www-data' });
  else w.copy(['.'], './', { chown: 'www-data:www-data' });
  w.blank()
    .comment("PHP's built-in server: one container, no web server to configure. It serves")
    .comment('PHP_CLI_SERVER_WORKERS requests at a time; put a real server in front for heavy traffic.');
  writeRuntimeTail(w, {
    user: 'www-data',
    port: d.port,
    env: { PHP_CLI_SERVER_WORKERS: '4' },
    probe: 'php',
    healthPath: d.healthPath,
    cmd: d.start!,
  });
}
