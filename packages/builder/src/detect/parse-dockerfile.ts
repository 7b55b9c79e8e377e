import type { DockerfileInfo } from '../detection.js';

const MAX_TEXT = 64 * 1024;

/**
 * Reads what berth needs from a Dockerfile — stages, EXPOSEd ports and the final CMD and
 * ENTRYPOINT — without evaluating anything. EXPOSE and CMD count only in the final stage.
 */
export function parseDockerfile(path: string, text: string): DockerfileInfo {
  const info: DockerfileInfo = { path, from: [], exposedPorts: [], cmd: null, entrypoint: null };
  for (const { instruction, args } of instructions(text.slice(0, MAX_TEXT))) {
    switch (instruction) {
      case 'FROM': {
        const image = args.split(/\s+/).find((t) => !t.startsWith('--'));
        if (image) info.from.push(image);
        info.exposedPorts = [];
        info.cmd = null;
        info.entrypoint = null;
        break;
      }
      case 'EXPOSE':
        info.exposedPorts.push(...exposed(args));
        break;
      case 'CMD':
        info.cmd = commandOf(args);
        break;
      case 'ENTRYPOINT':
        info.entrypoint = commandOf(args);
        break;
    }
  }
  return info;
}

function* instructions(text: string): Generator<{ instruction: string; args: string }> {
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (pending === '' && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(full);
    if (m) yield { instruction: m[1]!.toUpperCase(), args: m[2]!.trim() };
  }
}

function exposed(args: string): number[] {
  return args
    .split(/\s+/)
    .map((t) => /^(\d{1,5})(?:\/(?:tcp|udp))?$/.exec(t)?.[1])
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0 && p <= 65535);
}

/** Exec form when it is a JSON array of strings (as Docker decides), shell form otherwise. */
function commandOf(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
    } catch {
      // not JSON: Docker runs it through the shell, and so do we
    }
  }
  return ['/bin/sh', '-c', args];
}
