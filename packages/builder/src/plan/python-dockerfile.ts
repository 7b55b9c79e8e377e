import type { Detection } from '../detection.js';
import { appFolderInRepository } from './app-folder.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { DEFAULTS, versionOr } from './images.js';
import { addUser, type RuntimeTail, writeRuntimeTail } from './runtime-tail.js';

const MANIFESTS = [
  'requirements*.txt',
  'pyproject.toml*',
  'poetry.lock*',
  'Pipfile*',
  'pdm.lock*',
  'uv.lock*',
];

export function pythonDockerfile(w: DockerfileWriter, d: Detection): void {
  const version = versionOr(d.runtimeVersion, DEFAULTS.python);
  w.from(`python:${version}-slim`).workdir('/app');
  w.env({ PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' });
  addUser(w, 'debian');
  const folder = appFolderInRepository(d);
  if (folder) {
    // Built from the repository's root: what the app installs from outside its folder is there too.
    w.comment(`The app is ${folder}, which uses files outside its folder: the whole repository is copied.`)
      .copy(['.'], './')
      .workdir(`/app/${folder}`);
    for (const c of d.install) w.run(c);
    writeRuntimeTail(w, tail(d));
    return;
  }
  // `pip install .` needs the sources; every other installer needs only the manifests. With nothing
  // to install there is no manifest layer (a COPY whose every pattern matches nothing fails).
  const needsSources = d.install.length === 0 || d.install.some((c) => c.at(-1) === '.');
  if (!needsSources)
    w.comment('Manifests first, so the install layer is reused until dependencies change.').copy(
      MANIFESTS,
      './',
    );
  else w.copy(['.'], './');
  for (const c of d.install) w.run(c);
  if (!needsSources) w.copy(['.'], './');
  writeRuntimeTail(w, tail(d));
}

function tail(d: Detection): RuntimeTail {
  return { user: 'web', port: d.port, probe: 'python', healthPath: d.healthPath, cmd: d.start! };
}
