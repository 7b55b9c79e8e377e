import type { Detection } from '../detection.js';
import { appFolderInRepository } from './app-folder.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { ALPINE_IMAGE, DEFAULTS, versionOr } from './images.js';
import { addUser, writeRuntimeTail } from './runtime-tail.js';

export function goDockerfile(w: DockerfileWriter, d: Detection): void {
  const version = versionOr(d.runtimeVersion, DEFAULTS.go);
  w.comment('Stage 1: compile a static binary.').from(`golang:${version}-alpine`, 'build').workdir('/src');
  w.env({ CGO_ENABLED: '0' });
  // A module downloads its dependencies in a layer of their own; a workspace or a lone main.go
  // (which `go mod init` makes a module) needs its sources first.
  const folder = appFolderInRepository(d);
  const layered = !folder && d.install.some((c) => c.join(' ') === 'go mod download');
  if (layered) w.copy(['go.mod', 'go.sum*'], './');
  else w.copy(['.'], './');
  // A module that replaces a dependency with a folder outside its own is built inside the whole repository.
  if (folder) w.workdir(`/src/${folder}`);
  for (const c of d.install) w.run(c);
  if (layered) w.copy(['.'], './');
  for (const c of d.build) w.run(c);
  w.blank().comment(
    'Stage 2: only the binary, on Alpine (CA certificates, and busybox wget for the health check).',
  );
  w.from(ALPINE_IMAGE).runScript('apk add --no-cache ca-certificates tzdata');
  addUser(w, 'alpine');
  w.workdir('/app').copy(['/out/app'], '/app/server', { from: 'build' });
  writeRuntimeTail(w, {
    user: 'web',
    port: d.port,
    probe: 'busybox',
    healthPath: d.healthPath,
    cmd: d.start!,
  });
}
