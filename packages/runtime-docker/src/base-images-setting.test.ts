import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseImages, parseBaseImages } from './base-images-setting.js';

describe('base-image mapping setting', () => {
  it('reads JSON or image=image pairs', () => {
    expect(parseBaseImages('{"node:20-slim": "local/node:20"}', 'x')).toEqual({
      'node:20-slim': 'local/node:20',
    });
    expect(parseBaseImages('nginx:1.27=berth-test/busybox:latest, a=b', 'x')).toEqual({
      'nginx:1.27': 'berth-test/busybox:latest',
      a: 'b',
    });
    expect(() => parseBaseImages('nginx', 'BERTH_BASE_IMAGES')).toThrow(/BERTH_BASE_IMAGES: 'nginx' is not/);
    expect(() => parseBaseImages('{"a": 1}', 'f.json')).toThrow(/mapping of 'a'/);
  });

  it('prefers BERTH_BASE_IMAGES, then <home>/base-images.json', async () => {
    const home = mkdtempSync(join(tmpdir(), 'berth-bi-'));
    expect(await loadBaseImages(home, {})).toEqual({ images: {}, from: 'none' });
    writeFileSync(join(home, 'base-images.json'), '{"a:1": "b:2"}');
    expect((await loadBaseImages(home, {})).images).toEqual({ 'a:1': 'b:2' });
    expect((await loadBaseImages(home, { BERTH_BASE_IMAGES: 'c=d' })).images).toEqual({ c: 'd' });
  });
});
