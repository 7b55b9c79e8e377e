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
});
