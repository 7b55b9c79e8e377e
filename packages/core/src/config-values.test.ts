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
      "config.version is not a version of this template: '2.7' (known: 3.11, 3.12)",
    );
    // A template without versions has no such setting at all.
    expect(() => resolveConfig(template, { workers: 1, version: '1' })).toThrow(/has no setting 'version'/);
  });
});
