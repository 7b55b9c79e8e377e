import { describe, expect, it } from 'vitest';
import { DockerfileWriter } from './dockerfile-writer.js';

describe('DockerfileWriter', () => {
  it('writes commands as JSON, so a newline stays inside one argument', () => {
    const text = new DockerfileWriter().cmd(['node', 'a.js\nRUN rm -rf /']).toString();
    expect(text).toBe('CMD ["node","a.js\\nRUN rm -rf /"]\n');
  });

  it('rejects what cannot be escaped: images, paths and ENV values with odd characters', () => {
    const w = new DockerfileWriter();
    expect(() => w.from('node:20\nRUN x')).toThrow(/image/);
    expect(() => w.copy(['a b'], './')).toThrow(/source path/);
    expect(() => w.env({ PORT: '80\nRUN x' })).toThrow(/value of PORT/);
    expect(() => w.workdir('relative')).toThrow(/directory/);
  });

  it('maps base images, and keeps comments on their own lines', () => {
    const text = new DockerfileWriter({ 'node:20': 'mirror/node:20' })
      .comment('a\nRUN b')
      .from('node:20', 'build')
      .toString();
    expect(text).toBe('# a\n# RUN b\nFROM mirror/node:20 AS build\n');
  });
});
