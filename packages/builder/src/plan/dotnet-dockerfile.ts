import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { DEFAULTS, versionOr } from './images.js';
import { addUser, writeRuntimeTail } from './runtime-tail.js';

export function dotnetDockerfile(w: DockerfileWriter, d: Detection): void {
  const version = versionOr(d.runtimeVersion, DEFAULTS.dotnet);
  const web = d.framework === 'aspnetcore';
  w.comment('Stage 1: restore and publish with the SDK.')
    .from(`mcr.microsoft.com/dotnet/sdk:${version}`, 'build')
    .workdir('/src');
  w.copy(['.'], './');
  for (const c of [...d.install, ...d.build]) w.run(c);
  w.blank().comment(`Stage 2: the ${web ? 'ASP.NET Core' : '.NET'} runtime only.`);
  w.from(`mcr.microsoft.com/dotnet/${web ? 'aspnet' : 'runtime'}:${version}`);
  addUser(w, 'debian');
  w.workdir('/app').copy(['/out'], '/app', { from: 'build' });
  writeRuntimeTail(w, {
    user: 'web',
    port: d.port,
    env: { DOTNET_RUNNING_IN_CONTAINER: 'true' },
    probe: 'bash',
    healthPath: d.healthPath,
    cmd: d.start!,
  });
}
