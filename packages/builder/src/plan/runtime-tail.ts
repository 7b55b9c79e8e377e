import type { Command } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { type HealthProbe, healthcheck } from './healthcheck.js';

export interface RuntimeTail {
  user: string;
  port: number;
  env?: Record<string, string>;
  probe: HealthProbe;
  healthPath: string;
  cmd: Command;
}

/** The end every generated Dockerfile shares: who runs it, on which port, how it is checked, what starts. */
export function writeRuntimeTail(w: DockerfileWriter, tail: RuntimeTail): void {
  w.blank().comment('Never run as root: a compromised app cannot rewrite its own image.').user(tail.user);
  w.blank()
    .comment('The app listens on $PORT; berth may set another port when it runs the instance.')
    .env({ PORT: String(tail.port), ...tail.env })
    .expose(tail.port);
  w.blank()
    .comment(`Healthy when ${tail.healthPath} answers below HTTP 500.`)
    .healthcheck(healthcheck(tail.probe, tail.healthPath));
  w.blank().cmd(tail.cmd);
}

/**
 * Debian images have `useradd`; a mirror or minimal image mapped in their place (base-image
 * mapping) may have busybox `adduser`, or only a shell, so the last resort writes /etc/passwd.
 */
const PORTABLE_ADD_USER = [
  'if command -v useradd >/dev/null; then useradd --create-home --uid 10001 web;',
  'elif command -v adduser >/dev/null; then adduser -D -u 10001 web;',
  "else echo 'web:x:10001:10001::/home/web:/bin/sh' >>/etc/passwd && mkdir -p /home/web && chown 10001 /home/web; fi",
].join(' ');

/** Creates an unprivileged `web` user (uid 10001) with the tools the base image has. */
export function addUser(w: DockerfileWriter, family: 'debian' | 'alpine'): void {
  if (family === 'alpine') w.run(['adduser', '-D', '-u', '10001', 'web']);
  else w.runScript(PORTABLE_ADD_USER);
}

/** Paths from a Detection (which a person may have edited) must stay inside the build context. */
export function safeDir(dir: string | null, fallback: string): string {
  if (dir === null || dir === '.') return fallback;
  const clean = dir.replace(/^\.\//, '').replace(/\/+$/, '');
  return /^[\w@-][\w./@-]{0,200}$/.test(clean) && !clean.includes('..') ? clean : fallback;
}
