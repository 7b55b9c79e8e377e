import { describe, expect, it } from 'vitest';
import {
  BerthError,
  Conflict,
  InvalidInput,
  isBerthError,
  NotAllowed,
  NotFound,
  type PortConflict,
  RuntimeUnavailable,
  StorageUnavailable,
  Unauthenticated,
  Unprocessable,
  userMessage,
} from './errors.js';

const conflict: PortConflict = {
  name: 'http',
  envVar: 'PORT',
  port: 8080,
  protocol: 'tcp',
  usedBy: 'process nginx (pid 812)',
  suggestedPort: 8081,
};

describe('domain errors', () => {
  it('each has the kind the edges map to a status, and its own default code', () => {
    const table = [
      [new InvalidInput('x'), 'invalid', 'INVALID_INPUT'],
      [new NotFound('instance', 'a'), 'not_found', 'NOT_FOUND'],
      [new Conflict('x'), 'conflict', 'CONFLICT'],
      [new NotAllowed('x'), 'forbidden', 'NOT_ALLOWED'],
      [new Unauthenticated(), 'unauthenticated', 'UNAUTHENTICATED'],
      [new Unprocessable('x'), 'unprocessable', 'UNPROCESSABLE'],
      [new RuntimeUnavailable('x'), 'runtime_unavailable', 'RUNTIME_UNAVAILABLE'],
      [new StorageUnavailable('x', { full: true }), 'storage_full', 'STORAGE_FULL'],
      [new StorageUnavailable('x', { full: false }), 'storage_unavailable', 'STORAGE_UNAVAILABLE'],
    ] as const;
    for (const [err, kind, code] of table) {
      expect(err).toBeInstanceOf(BerthError);
      expect(err).toBeInstanceOf(Error);
      expect([err.kind, err.code]).toEqual([kind, code]);
      expect(err.name).toBe(err.constructor.name);
    }
  });

  it('a given code wins over the default', () => {
    expect(new InvalidInput('x', { code: 'INVALID_CONFIG' }).code).toBe('INVALID_CONFIG');
    expect(new Conflict('x', { code: 'NAME_TAKEN' }).code).toBe('NAME_TAKEN');
    expect(new NotAllowed('x', { code: 'ROLE_REQUIRED' }).code).toBe('ROLE_REQUIRED');
  });

  it('NotFound says what and which, in words and in details', () => {
    const err = new NotFound('template', 'web');
    expect(err.message).toBe("template 'web' was not found");
    expect(err.details).toEqual({ what: 'template', id: 'web' });
  });

  it('NotFound with the names that exist lists them in words and whole in details', () => {
    const err = new NotFound('template', 'helo', { known: ['hello', 'redis'] });
    expect(err.message).toBe("template 'helo' was not found; the templates are: hello, redis");
    expect(err.details).toEqual({ what: 'template', id: 'helo', known: ['hello', 'redis'] });
    expect(new NotFound('template', 'x', { known: [] }).message).toBe(
      "template 'x' was not found; there are no templates yet",
    );
    const many = Array.from({ length: 25 }, (_, i) => `t${i}`);
    const long = new NotFound('template', 'x', { known: many });
    expect(long.message).toMatch(/t19 and 5 more$/);
    expect(long.details?.known).toHaveLength(25);
  });

  it('a Conflict with port conflicts is PORT_CONFLICT and carries them beside its other details', () => {
    const err = new Conflict('Port 8080 is in use', {
      portConflicts: [conflict],
      details: { host: 'local' },
    });
    expect(err.code).toBe('PORT_CONFLICT');
    expect(err.portConflicts).toEqual([conflict]);
    expect(err.details).toEqual({ host: 'local', portConflicts: [conflict] });
    const plain = new Conflict('x', { details: { a: 1 } });
    expect(plain.portConflicts).toEqual([]);
    expect(plain.details).toEqual({ a: 1 });
  });

  it('keeps the cause, and has none when none was given', () => {
    const cause = new Error('EADDRINUSE');
    expect(new RuntimeUnavailable('engine gone', { cause }).cause).toBe(cause);
    expect('cause' in new InvalidInput('x')).toBe(false);
  });

  it('isBerthError tells domain errors from everything else', () => {
    expect(isBerthError(new NotFound('node', 'n'))).toBe(true);
    expect(isBerthError(new Error('x'))).toBe(false);
    expect(isBerthError({ code: 'NOT_FOUND', kind: 'not_found' })).toBe(false);
    expect(isBerthError(undefined)).toBe(false);
  });
});

describe('userMessage', () => {
  it('is a domain error’s whole message', () => {
    expect(userMessage(new InvalidInput('a: bad\nb: worse'))).toBe('a: bad\nb: worse');
  });

  it('is the first line of any other error, never its stack', () => {
    const err = new Error('spawn ENOENT\n    at ChildProcess._handle (node:internal)');
    expect(userMessage(err)).toBe('spawn ENOENT');
    expect(userMessage(err)).not.toContain('node:internal');
  });

  it('says unknown error for an empty message or a value that is no Error', () => {
    expect(userMessage(new Error(''))).toBe('unknown error');
    expect(userMessage('a string')).toBe('unknown error');
    expect(userMessage(null)).toBe('unknown error');
    expect(userMessage({ message: 'looks like one' })).toBe('unknown error');
  });
});
