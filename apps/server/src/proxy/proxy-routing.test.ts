import { expect, it } from 'vitest';
import { nameFromHost, proxyOrigin, routeInstancePath } from './proxy-routing.js';

it('reads the instance from a <name>.localhost host', () => {
  expect(nameFromHost('web-1.localhost:7412')).toBe('web-1');
  expect(nameFromHost('WEB.localhost')).toBe('web');
  expect(nameFromHost('localhost:7412')).toBeUndefined();
  expect(nameFromHost('metrics.web-1.localhost:7412')).toBe('metrics.web-1');
  expect(nameFromHost('a.b.c.localhost')).toBeUndefined();
  expect(nameFromHost(undefined)).toBeUndefined();
});

it('splits /i/<name>/rest and redirects /i/<name>', () => {
  expect(routeInstancePath('/i/web/a/b?x=1')).toEqual({ kind: 'proxy', name: 'web', path: '/a/b?x=1' });
  expect(routeInstancePath('/i/web/')).toEqual({ kind: 'proxy', name: 'web', path: '/' });
  expect(routeInstancePath('/i/web?x=1')).toEqual({ kind: 'redirect', location: '/i/web/?x=1' });
  expect(routeInstancePath('/api/v1/health')).toBeUndefined();
  // Per-port names are the host form's only: the path form serves the proxy port.
  expect(routeInstancePath('/i/metrics.web/')).toBeUndefined();
});

it('points at the proxy port on the hostname the client used, and refuses a malformed Host', () => {
  expect(proxyOrigin('127.0.0.1:7411', 7412)).toBe('http://127.0.0.1:7412');
  expect(proxyOrigin('berth.example.lan', 7412)).toBe('http://berth.example.lan:7412');
  expect(proxyOrigin('[::1]:7411', 7412)).toBe('http://[::1]:7412');
  for (const bad of [undefined, '', 'evil.com/x', 'a b', 'host:port', 'user@host:7411'])
    expect(proxyOrigin(bad, 7412), String(bad)).toBeUndefined();
});
