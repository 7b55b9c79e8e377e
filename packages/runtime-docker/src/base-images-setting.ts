import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInput } from '@berth/core';
import type { BaseImageMap } from './image-resolver.js';

/** Where the base-image mapping comes from, for logs. */
export interface BaseImagesSetting {
  images: BaseImageMap;
  from: string;
}

/** `{"node:20-slim": "local/node:20"}` or `node:20-slim=local/node:20,nginx:1.27=my/nginx`. */
export function parseBaseImages(text: string, origin: string): BaseImageMap {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (err) {
      throw new InvalidInput(`${origin} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    const out: BaseImageMap = {};
    for (const [from, to] of Object.entries(data as Record<string, unknown>)) {
      if (typeof to !== 'string' || to === '') {
        throw new InvalidInput(`${origin}: the mapping of '${from}' must be an image name`, {
          details: { field: from },
        });
      }
      out[from] = to;
    }
    return out;
  }
  const out: BaseImageMap = {};
  for (const pair of trimmed
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new InvalidInput(`${origin}: '${pair}' is not <image>=<local image>`, {
        details: { field: pair },
      });
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The base-image mapping: `BERTH_BASE_IMAGES` when set, else `<home>/base-images.json` when it
 * exists, else none. Used by every Docker runtime, the compose runtime and image builds.
 */
export async function loadBaseImages(
  home: string,
  env: { BERTH_BASE_IMAGES?: string | undefined },
): Promise<BaseImagesSetting> {
  if (env.BERTH_BASE_IMAGES) {
    return { images: parseBaseImages(env.BERTH_BASE_IMAGES, 'BERTH_BASE_IMAGES'), from: 'BERTH_BASE_IMAGES' };
  }
  const file = join(home, 'base-images.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { images: {}, from: 'none' };
  }
  return { images: parseBaseImages(text, file), from: file };
}
