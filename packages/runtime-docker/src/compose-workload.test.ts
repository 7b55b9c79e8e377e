import { describe, expect, it } from 'vitest';
import { publishedPorts } from './compose-workload.js';

const v4 = (publicPort: number, privatePort = 8080, type = 'tcp') => ({
  IP: '0.0.0.0',
  PrivatePort: privatePort,
  PublicPort: publicPort,
  Type: type,
});
const v6 = (publicPort: number, privatePort = 8080, type = 'tcp') => ({
  ...v4(publicPort, privatePort, type),
  IP: '::',
});

describe('a replica’s published ports', () => {
  it('lists a port bound on IPv4 and IPv6 to the same host port once', () => {
    expect(publishedPorts({ Ports: [v4(32779), v6(32779)] })).toEqual([
      { hostPort: 32779, containerPort: 8080, protocol: 'tcp' },
    ]);
  });

  it('shows the IPv4 host port when the engine gave the two families different ones, in either order', () => {
    const want = [{ hostPort: 32781, containerPort: 8080, protocol: 'tcp' }];
    expect(publishedPorts({ Ports: [v4(32781), v6(32782)] })).toEqual(want);
    expect(publishedPorts({ Ports: [v6(32782), v4(32781)] })).toEqual(want);
  });

  it('keeps each container port and protocol apart, in host-port order, and leaves out unpublished ones', () => {
    const ports = [v4(32790, 53, 'udp'), v4(32785, 80), v6(32786, 80), { PrivatePort: 9000, Type: 'tcp' }];
    expect(publishedPorts({ Ports: ports as never })).toEqual([
      { hostPort: 32785, containerPort: 80, protocol: 'tcp' },
      { hostPort: 32790, containerPort: 53, protocol: 'udp' },
    ]);
  });

  it('takes an IPv6-only binding when that is all there is', () => {
    expect(publishedPorts({ Ports: [v6(32800)] })).toEqual([
      { hostPort: 32800, containerPort: 8080, protocol: 'tcp' },
    ]);
  });
});
