/// <reference path="./tar-fs.d.ts" />
import { relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import { type Header, pack } from 'tar-fs';

/** The Dockerfile's name inside the context: berth's, so it never replaces a file of the repository. */
export const CONTEXT_DOCKERFILE = '.berth.Dockerfile';

export interface BuildContextFiles {
  /** The Dockerfile to build with (base images already mapped). */
  dockerfile: string;
  /** `.dockerignore` rules, applied here, before anything is sent to the engine. */
  dockerignore: string;
}

/**
 * The build context as a tar stream: the folder's files minus what the ignore rules exclude, with
 * the Dockerfile added under a name of berth's own. The folder itself is never written to. A
 * `.dockerignore` naming only berth's files goes along, so the engine drops them after reading
 * and `COPY . .` copies only the repository. Files are owned by root in the archive, as the
 * docker CLI sends them; symbolic links stay links. Every file and folder is readable by all:
 * berth's Dockerfiles run the app as an unprivileged user, and a clone or copy made under the
 * server's umask 077 would otherwise reach the image as root's alone (a static site answered 404).
 */
export function buildContext(dir: string, files: BuildContextFiles): Readable {
  // A CommonJS module whose types say `export default`: its function is also its own `.default`.
  const rules = dockerignore.default({ ignorecase: false }).add(files.dockerignore.split('\n'));
  const excluded = (abs: string) => {
    const rel = relative(dir, abs).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) return false;
    return rel === CONTEXT_DOCKERFILE || rel === '.dockerignore' || rules.ignores(rel);
  };
  return pack(dir, {
    ignore: excluded,
    map: (header) => ({ ...header, uid: 0, gid: 0, ...readableMode(header) }),
    finalize: false,
    finish: (archive) => {
      const mtime = new Date();
      archive.entry({ name: CONTEXT_DOCKERFILE, mode: 0o644, mtime }, files.dockerfile);
      archive.entry({ name: '.dockerignore', mode: 0o644, mtime }, `${CONTEXT_DOCKERFILE}\n.dockerignore\n`);
      archive.finalize();
    },
  });
}

/** Read (and, for folders, enter) rights for everyone, the rest of the mode as it was. */
function readableMode(header: Header): { mode?: number } {
  if (header.mode === undefined) return {};
  if (header.type === 'directory') return { mode: header.mode | 0o555 };
  if (header.type === 'file' || header.type === undefined) return { mode: header.mode | 0o444 };
  return {};
}
