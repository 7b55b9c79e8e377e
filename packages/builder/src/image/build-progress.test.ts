import { describe, expect, it } from 'vitest';
import { BuildStreamParser } from './build-progress.js';

const line = (o: unknown) => `${JSON.stringify(o)}\n`;

describe('BuildStreamParser', () => {
  it('follows the steps, even when a JSON line is split across chunks', () => {
    const p = new BuildStreamParser();
    const text = line({ stream: 'Step 1/3 : FROM x\n' }) + line({ stream: ' ---> abc\n' });
    const first = p.push(text.slice(0, 10));
    const rest = p.push(text.slice(10));
    expect(first).toEqual([]);
    expect(rest).toEqual([
      { step: 1, totalSteps: 3, message: 'Step 1/3 : FROM x', stream: 'stdout' },
      { step: 1, totalSteps: 3, message: ' ---> abc', stream: 'stdout' },
    ]);
  });

  it('keeps the image id and the error', () => {
    const p = new BuildStreamParser();
    p.push(line({ aux: { ID: 'sha256:1' } }));
    const out = p.push(line({ errorDetail: { message: 'boom' }, error: 'boom' }));
    expect(p.outcome).toEqual({ imageId: 'sha256:1', error: 'boom' });
    expect(out[0]?.stream).toBe('stderr');
  });

  it('passes a line that is not JSON through, and reads the last line at the end', () => {
    const p = new BuildStreamParser();
    expect(p.push('plain text\n')[0]?.message).toBe('plain text');
    p.push(JSON.stringify({ stream: 'Step 2/2 : CMD x' }));
    expect(p.end()).toEqual([{ step: 2, totalSteps: 2, message: 'Step 2/2 : CMD x', stream: 'stdout' }]);
  });
});
