import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { STATIC_SERVER_IMAGE } from './images.js';
import { safeDir, writeRuntimeTail } from './runtime-tail.js';

/**
 * Serves files with busybox httpd: a 4 MB image with a web server, a shell and wget for the
 * health check. `fromStage` names the build stage holding the files, if they were built.
 * (httpd has no SPA fallback: deep links of client-side routers answer 404.)
 */
export function writeStaticServer(w: DockerfileWriter, d: Detection, fromStage?: string): void {
  const dir = safeDir(d.staticDir, '.');
  w.comment('A tiny static file server: busybox httpd.').from(STATIC_SERVER_IMAGE).workdir('/www');
  if (fromStage) w.copy([`/app/${dir === '.' ? '' : dir}`.replace(/\/$/, '')], '/www', { from: fromStage });
  else w.copy([dir], '/www');
  writeRuntimeTail(w, {
    // busybox images may lack adduser and even /etc/passwd entries: run as uid 65534 (nobody).
    user: '65534',
    port: d.port,
    probe: 'busybox',
    healthPath: '/',
    cmd: ['sh', '-c', 'exec httpd -f -v -p "$PORT" -h /www'],
  });
}

export function staticDockerfile(w: DockerfileWriter, d: Detection): void {
  writeStaticServer(w, d);
}
