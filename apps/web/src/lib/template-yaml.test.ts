import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { fieldPath, issueLines, parseYaml, toYaml } from './template-yaml';

const TEXT = [
  'name: web',
  'source:',
  '  kind: command',
  '  command: node',
  'ports:',
  '  - name: http',
  '    preferred: 70000',
  '  - name: admin',
  '',
].join('\n');

describe('template YAML', () => {
  it('finds the line of each API issue in the text, the deepest part of its path that is there', () => {
    const lines = issueLines(yaml, TEXT, [
      { field: 'body.ports.0.preferred', message: 'too big' },
      { field: 'ports.1', message: 'needs env' },
      { field: 'source.args', message: 'is required' },
      { field: 'health', message: 'is wrong' },
    ]);
    expect(lines).toEqual([
      { line: 7, field: 'ports.0.preferred', message: 'too big' },
      { line: 8, field: 'ports.1', message: 'needs env' },
      { line: 2, field: 'source.args', message: 'is required' },
      { line: 1, field: 'health', message: 'is wrong' },
    ]);
  });

  it('says where the text does not parse, a duplicate key included', () => {
    const broken = parseYaml(yaml, 'name: web\nports: [1, 2\n');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.problems[0]?.line).toBeGreaterThanOrEqual(2);
    const twice = parseYaml(yaml, 'name: web\nname: api\n');
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.problems[0]?.line).toBe(2);
  });

  it('round-trips a template through text', () => {
    const data = {
      name: 'web',
      source: { kind: 'command', command: 'node', args: ['-e', "console.log('a: b')"] },
    };
    const back = parseYaml(yaml, toYaml(yaml, data));
    expect(back).toEqual({ ok: true, data });
    expect(fieldPath('body.ports.0.env')).toEqual(['ports', '0', 'env']);
  });
});
