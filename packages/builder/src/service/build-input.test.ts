import { describe, expect, it } from 'vitest';
import { detect } from '../detect.js';
import { memoryTree } from '../repo-tree.js';
import { applyOverrides } from './apply-overrides.js';
import { nameFromSource, validBuildInput } from './build-input.js';

describe('validBuildInput', () => {
  it('names the app after the repository or folder', () => {
    expect(nameFromSource({ kind: 'git', url: 'https://github.com/acme/My_Shop.git' })).toBe('my-shop');
    expect(nameFromSource({ kind: 'git', url: 'git@github.com:acme/api.git' })).toBe('api');
    expect(nameFromSource({ kind: 'path', path: '/srv/repos/2048/' })).toBe('app-2048');
    expect(nameFromSource({ kind: 'path', path: '/' })).toBe('app');
  });

  it('names the field at fault', () => {
    const field = (input: Parameters<typeof validBuildInput>[0]) => {
      try {
        validBuildInput(input);
        return null;
      } catch (err) {
        return (err as { details?: { field?: string } }).details?.field;
      }
    };
    expect(field({ source: '' })).toBe('source');
    expect(field({ source: '--upload-pack=touch /tmp/x' })).toBe('source');
    expect(field({ source: '/srv/app', name: 'Not OK' })).toBe('name');
    expect(field({ source: '/srv/app', databases: ['oracle' as never] })).toBe('databases');
    expect(field({ source: '/srv/app', overrides: { port: 70000 } })).toBe('overrides.port');
    expect(field({ source: '/srv/app', overrides: { start: [] } })).toBe('overrides.start');
    expect(field({ source: '/srv/app', overrides: { healthPath: 'health' } })).toBe('overrides.healthPath');
    expect(field({ source: '/srv/app', databases: ['postgres', 'postgres'] })).toBeNull();
  });
});

describe('applyOverrides', () => {
  it('replaces what the person corrected and says so in the evidence', () => {
    const d = detect(memoryTree({ 'index.html': '<h1>hi</h1>' }));
    const o = applyOverrides(d, { port: 9000, start: ['node', 'x.js'], stack: 'node' });
    expect(o).toMatchObject({ stack: 'node', port: 9000, start: ['node', 'x.js'], confidence: 100 });
    expect(o.evidence.filter((e) => e.file === '(overrides)')).toHaveLength(3);
    expect(d.port).not.toBe(9000);
  });
});
