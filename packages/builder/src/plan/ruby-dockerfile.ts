import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { DEFAULTS, versionOr } from './images.js';
import { addUser, writeRuntimeTail } from './runtime-tail.js';

/** Native gems compile against these; the client libraries follow the databases in use. */
function buildPackages(d: Detection): string {
  const pkgs = ['build-essential', 'libyaml-dev'];
  if (d.databases.includes('postgres')) pkgs.push('libpq-dev');
  if (d.databases.includes('mysql')) pkgs.push('default-libmysqlclient-dev');
  return pkgs.join(' ');
}

export function rubyDockerfile(w: DockerfileWriter, d: Detection): void {
  const version = versionOr(d.runtimeVersion, DEFAULTS.ruby);
  w.from(`ruby:${version}-slim`).workdir('/app');
  w.runScript(
    `apt-get update && apt-get install -y --no-install-recommends ${buildPackages(d)} && rm -rf /var/lib/apt/lists/*`,
  );
  addUser(w, 'debian');
  w.comment('Gemfile first, so the bundle layer is reused until dependencies change.').copy(
    ['Gemfile', 'Gemfile.lock*'],
    './',
  );
  for (const c of d.install) w.run(c);
  w.copy(['.'], './', { chown: 'web:web' });
  const rails = d.framework === 'rails';
  writeRuntimeTail(w, {
    user: 'web',
    port: d.port,
    env: rails
      ? { RAILS_ENV: 'production', RAILS_LOG_TO_STDOUT: '1', RAILS_SERVE_STATIC_FILES: '1' }
      : { RACK_ENV: 'production' },
    probe: 'ruby',
    healthPath: d.healthPath,
    cmd: d.start!,
  });
}
