import { describe, expect, it } from 'vitest';
import { asSentence, fieldLabel, fieldSentence, predicateOf } from './validation-words';

describe('validation words (issue 17 §10: no raw validation text reaches a person)', () => {
  it('turns what the operator met into sentences', () => {
    expect(fieldSentence('querystring.from', 'must not be above to')).toBe('From must not be above To.');
    expect(fieldSentence('body.name', 'Invalid input: expected string, received undefined')).toBe(
      'Name is required.',
    );
  });

  it("maps zod's messages", () => {
    expect(predicateOf('Too small: expected number to be >=1')).toBe('must be at least 1');
    expect(predicateOf('Too big: expected number to be <=65535')).toBe('must be at most 65535');
    expect(predicateOf('Too small: expected string to have >=1 characters')).toBe('is required');
    expect(predicateOf('Invalid option: expected one of "tcp"|"udp"')).toBe('must be one of tcp or udp');
    expect(predicateOf('Invalid input: expected number, received NaN')).toBe('must be a number');
    expect(predicateOf('Invalid input: expected object, received string')).toBe('must be a group of fields');
    expect(predicateOf('Unrecognized key: "host"')).toBe('has a field berth does not know: host');
    expect(predicateOf('Invalid input')).toBe('is not valid');
  });

  it('keeps words that are already words, and names fields as the form does', () => {
    expect(predicateOf('must start with tcp:// or ssh://')).toBe('must start with tcp:// or ssh://');
    expect(fieldLabel('body.ports.http')).toBe('Port http');
    expect(fieldLabel('body.config.apiKey')).toBe('apiKey');
    expect(fieldLabel('scanIntervalSeconds')).toBe('Scan interval seconds');
    expect(fieldLabel('body')).toBe('The request');
    expect(asSentence("instance name 'X' is invalid")).toBe("Instance name 'X' is invalid.");
    expect(asSentence('env.1X: a variable name is letters')).toBe('env.1X: a variable name is letters.');
    expect(asSentence("publicAddress 'x' is not a host name")).toBe("publicAddress 'x' is not a host name.");
    expect(fieldSentence('body.config.endpoint', 'must start with tcp:// or ssh://')).toBe(
      'endpoint must start with tcp:// or ssh://.',
    );
  });
});
