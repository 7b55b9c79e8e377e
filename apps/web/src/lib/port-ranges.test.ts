import { describe, expect, it } from 'vitest';
import type { PortInventoryRow } from '../api/types';
import { rangeText, reservedRanges } from './port-ranges';

const row = (port: number, owner: string, protocol: 'tcp' | 'udp' = 'tcp'): PortInventoryRow => ({
  port,
  protocol,
  ownerKind: owner.startsWith('reserved') ? 'reservation' : 'instance',
  owner,
  instanceId: null,
});

describe('reservedRanges', () => {
  it('joins consecutive reservations of one note and protocol into ranges, and nothing else', () => {
    const ranges = reservedRanges([
      row(18002, 'reserved by hand (vpn)'),
      row(18000, 'reserved by hand (vpn)'),
      row(18001, 'reserved by hand (vpn)'),
      row(18003, 'reserved by hand (other)'),
      row(18004, 'reserved by hand (reserved by hand)'),
      row(18001, 'reserved by hand (vpn)', 'udp'),
      row(18005, 'berth instance web'),
    ]);
    expect(ranges).toEqual([
      { protocol: 'tcp', from: 18000, to: 18002, note: 'vpn' },
      { protocol: 'tcp', from: 18003, to: 18003, note: 'other' },
      { protocol: 'tcp', from: 18004, to: 18004, note: '' },
      { protocol: 'udp', from: 18001, to: 18001, note: 'vpn' },
    ]);
    expect(ranges.map(rangeText)).toEqual(['18000–18002', '18003', '18004', '18001']);
  });
});
