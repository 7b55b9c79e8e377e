import { InvalidInput } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '../src/index.js';

/** Issue 19 §8's settings: where builds may import local directories from, and how much. */
describe('allow-path and import cap settings', () => {
  it('allows no local path and caps imports at 200 MiB and 20,000 files by default', () => {
    const c = loadServerConfig({ home: '/tmp/berth-x' }, {});
    expect(c.allowPaths).toEqual([]);
    expect(c.importMaxBytes).toBe(200 * 1024 * 1024);
    expect(c.importMaxFiles).toBe(20_000);
  });

  it('reads BERTH_ALLOW_PATHS colon-separated, made absolute; repeated --allow-path flags win', () => {
    const env = { BERTH_ALLOW_PATHS: '/srv/apps::relative/src:' };
    expect(loadServerConfig({ home: '/tmp/berth-x' }, env).allowPaths).toEqual([
      '/srv/apps',
      `${process.cwd()}/relative/src`,
    ]);
    expect(loadServerConfig({ home: '/tmp/berth-x', allowPath: ['/a', '/b'] }, env).allowPaths).toEqual([
      '/a',
      '/b',
    ]);
  });

  it('reads the caps, refusing values that are not whole numbers above 0 by name', () => {
    const c = loadServerConfig(
      { home: '/tmp/berth-x' },
      { BERTH_IMPORT_MAX_MB: '5', BERTH_IMPORT_MAX_FILES: '100' },
    );
    expect([c.importMaxBytes, c.importMaxFiles]).toEqual([5 * 1024 * 1024, 100]);
    for (const [name, value] of [
      ['BERTH_IMPORT_MAX_MB', '0'],
      ['BERTH_IMPORT_MAX_MB', 'lots'],
      ['BERTH_IMPORT_MAX_FILES', '1.5'],
    ] as const) {
      expect(() => loadServerConfig({ home: '/tmp/berth-x' }, { [name]: value })).toThrow(InvalidInput);
      expect(() => loadServerConfig({ home: '/tmp/berth-x' }, { [name]: value })).toThrow(name);
    }
  });
});
