import { describe, expect, it } from 'vitest';
import { parseMarkers } from './markers.js';

const environ = (...entries: string[]) => Buffer.from(`${entries.join('\0')}\0`, 'utf8');

describe('parseMarkers: berth markers from /proc/<pid>/environ', () => {
  it('reads each marker, leaves other variables and entries without a value alone', () => {
    const m = parseMarkers(
      environ(
        'PATH=/usr/bin',
        'BERTH_OWNER=abc',
        'BERTH_INSTANCE_ID=id-1',
        'BERTH_INSTANCE=café-1',
        'BERTH_TEMPLATE=web',
        'BERTH_LOG_DIR=/home/b/logs/id-1',
        'BERTH_PORTS=http=18001,admin=18002',
        'BERTH_LOG_FROM=stdout=10,stderr=0',
        'BERTH_NOVALUE',
        'X=BERTH_OWNER=not-this',
      ),
    );
    expect(m).toEqual({
      owner: 'abc',
      instanceId: 'id-1',
      instanceName: 'café-1',
      template: 'web',
      logDir: '/home/b/logs/id-1',
      ports: { http: 18001, admin: 18002 },
      logFrom: { stdout: 10, stderr: 0 },
    });
  });

  it('is undefined without an owner marker, from bytes or text, and with no trailing NUL', () => {
    expect(parseMarkers(environ('PATH=/bin', 'BERTH_INSTANCE=x'))).toBeUndefined();
    expect(parseMarkers('')).toBeUndefined();
    expect(parseMarkers('A=1\0BERTH_OWNER=o')?.owner).toBe('o');
    expect(parseMarkers(Buffer.from('BERTH_OWNER=o2'))?.owner).toBe('o2');
  });
});
