import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { DEBIAN_IMAGE, DEFAULTS, versionOr } from './images.js';
import { addUser, writeRuntimeTail } from './runtime-tail.js';

export function rustDockerfile(w: DockerfileWriter, d: Detection): void {
  const version = versionOr(d.runtimeVersion, DEFAULTS.rust);
  const binary = binaryOf(d);
  w.comment('Stage 1: compile in release mode.').from(`rust:${version}-slim`, 'build').workdir('/src');
  w.copy(['.'], './');
  for (const c of d.build) w.run(c);
  w.blank().comment('Stage 2: the binary on a slim Debian (same glibc as the build stage).');
  w.from(DEBIAN_IMAGE).runScript(
    'apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*',
  );
  addUser(w, 'debian');
  w.workdir('/app').copy([`/src/target/release/${binary}`], `/app/${binary}`, { from: 'build' });
  writeRuntimeTail(w, {
    user: 'web',
    port: d.port,
    env: d.framework === 'rocket' ? { ROCKET_ADDRESS: '0.0.0.0' } : {},
    probe: 'bash',
    healthPath: d.healthPath,
    cmd: d.start!,
  });
}

/** The binary the start command runs: `/app/<name>`, wherever it sits in the command. */
function binaryOf(d: Detection): string {
  for (const arg of d.start ?? []) {
    const m = /\/app\/([\w-]{1,80})\b/.exec(arg);
    if (m) return m[1]!;
  }
  return 'app';
}
