import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config-values.js';

const template = {
  name: 't',
  config: {
    model: {
      type: 'string' as const,
      default: 'small',
      required: false,
      secret: false,
      enum: ['small', 'large'],
    },
    workers: { type: 'number' as const, required: true, secret: false },
    verbose: { type: 'boolean' as const, default: false, required: false, secret: false },
  },
};

describe('resolveConfig', () => {
  it('fills defaults and coerces text from the CLI', () => {
    expect(resolveConfig(template, { workers: '4', verbose: 'true' })).toEqual({
      model: 'small',
      workers: 4,
      verbose: true,
    });
  });
  it('names every bad field', () => {
    expect(() => resolveConfig(template, { model: 'huge', colour: 'x' })).toThrow(
      /config.colour template 't' has no setting 'colour'; config.model must be one of small, large; config.workers is required/,
    );
    expect(() => resolveConfig(template, { workers: 'many' })).toThrow(/config.workers must be a number/);
  });

  it('takes a version the command template installs, and refuses an unknown one naming the known ones', () => {
    const versioned = {
      name: 'py',
      config: {},
      source: {
        kind: 'command' as const,
        command: 'python3',
        args: [],
        versions: { '3.11': { command: 'python3.11' }, '3.12': { command: 'python3.12' } },
      },
    };
    expect(resolveConfig(versioned, { version: '3.12' })).toEqual({ version: '3.12' });
    expect(resolveConfig(versioned, {})).toEqual({});
    expect(() => resolveConfig(versioned, { version: '2.7' })).toThrow(
      "version '2.7' is not one of this template's versions (known: 3.11, 3.12)",
    );
    // A template without versions has no such setting at all.
    expect(() => resolveConfig(template, { workers: 1, version: '1' })).toThrow(/has no setting 'version'/);
  });
});

describe('resolveConfig: values at the edges', () => {
  const field = (type: 'string' | 'number' | 'boolean', extra: Record<string, unknown> = {}) => ({
    type,
    required: false,
    secret: false,
    ...extra,
  });
  const one = (f: ReturnType<typeof field>) => ({ name: 't', config: { v: f } });

  it('coerces numbers from text, refusing blanks, words and infinities', () => {
    expect(resolveConfig(one(field('number')), { v: ' 42 ' })).toEqual({ v: 42 });
    expect(resolveConfig(one(field('number')), { v: '-1.5' })).toEqual({ v: -1.5 });
    for (const bad of ['   ', 'ten', 'Infinity', Number.NaN, true, [1]])
      expect(() => resolveConfig(one(field('number')), { v: bad })).toThrow('config.v must be a number');
  });

  it('reads booleans from true/false/1/0 only', () => {
    const b = one(field('boolean'));
    expect(resolveConfig(b, { v: '1' })).toEqual({ v: true });
    expect(resolveConfig(b, { v: '0' })).toEqual({ v: false });
    expect(resolveConfig(b, { v: false })).toEqual({ v: false });
    for (const bad of ['yes', 'TRUE', 2])
      expect(() => resolveConfig(b, { v: bad })).toThrow('must be a boolean');
  });

  it('takes any scalar as text for a string, but not an object', () => {
    const s = one(field('string'));
    expect(resolveConfig(s, { v: 8080 })).toEqual({ v: '8080' });
    expect(resolveConfig(s, { v: false })).toEqual({ v: 'false' });
    expect(() => resolveConfig(s, { v: { a: 1 } })).toThrow('config.v must be a string');
  });

  it('checks an enum after coercion, so a number from the CLI matches a number in the enum', () => {
    const sized = one(field('number', { enum: [1, 2, 4] }));
    expect(resolveConfig(sized, { v: '4' })).toEqual({ v: 4 });
    expect(() => resolveConfig(sized, { v: '3' })).toThrow('config.v must be one of 1, 2, 4');
  });

  it('a required field is satisfied by its default; null or an empty value is missing', () => {
    const req = one(field('string', { required: true, default: 'x' }));
    expect(resolveConfig(req, {})).toEqual({ v: 'x' });
    expect(resolveConfig(req, { v: null })).toEqual({ v: 'x' });
    expect(() => resolveConfig(one(field('string', { required: true })), { v: '' })).toThrow(
      'config.v is required',
    );
  });

  it('lists every problem in details, one per field, for the edge to show', () => {
    let err: unknown;
    try {
      resolveConfig(template, { model: 'huge', colour: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'INVALID_CONFIG',
      details: {
        issues: [
          { field: 'config.colour', message: "template 't' has no setting 'colour'" },
          { field: 'config.model', message: 'must be one of small, large' },
          { field: 'config.workers', message: 'is required' },
        ],
      },
    });
  });
});
