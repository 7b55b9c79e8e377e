import { expect, it } from 'vitest';
import { isBerthAuthorization, withoutSessionCookie } from './credentials.js';

it('removes only berth_session from a Cookie value, and says when nothing is left', () => {
  expect(withoutSessionCookie('a=1; berth_session=s3cret; b=2')).toBe('a=1; b=2');
  expect(withoutSessionCookie('berth_session=s3cret')).toBeUndefined();
  expect(withoutSessionCookie(' berth_session = x ;')).toBeUndefined();
  expect(withoutSessionCookie('berth_session=x;theirs=berth_session')).toBe('theirs=berth_session');
  expect(withoutSessionCookie('my_berth_session=1; app=2')).toBe('my_berth_session=1; app=2');
});

it('recognises berth tokens in Authorization and leaves other credentials alone', () => {
  expect(isBerthAuthorization('Bearer berth_abc')).toBe(true);
  expect(isBerthAuthorization('bearer   berth_abc')).toBe(true);
  expect(isBerthAuthorization('berth_abc')).toBe(true);
  expect(isBerthAuthorization('Basic dXNlcjpwYXNz')).toBe(false);
  expect(isBerthAuthorization('Bearer their-own-token')).toBe(false);
});
