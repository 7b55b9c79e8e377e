// The core stays small enough to read: no source file over 300 lines and a median function body of
// at most 10 lines (scripts/core-shape.mjs measures both with the TypeScript parser). The first
// case checks the measure itself on a file whose figures are known, so a measure that counted
// nothing could not pass the second.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureCore } from '../scripts/core-shape.mjs';

interface Shape {
  files: number;
  largestFile: { file: string; lines: number };
  functions: number;
  medianFunctionLines: number;
  longest: { name: string; at: string; lines: number }[];
}

// The script is plain JavaScript: Shape is what it returns.
const measure = measureCore as (dir?: string, root?: string) => Shape;

const scratch = mkdtempSync(join(tmpdir(), 'berth-shape-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sample = `export function long(a: number): number {
  let x = a;
  x += 1;
  x += 2;
  x += 3;
  return x;
}

export class Box {
  constructor(private readonly v: number) {}

  get value(): number {
    return this.v;
  }

  twice(): number[] {
    const f = (n: number) => {
      return n * 2;
    };
    return [f(this.v), f(this.v)];
  }
}

export const short = (n: number) => n + 1;
`;

describe('the core shape', () => {
  it('measures block bodies from their first statement to their last, leaving out tests and empty bodies', () => {
    const dir = join(scratch, 'src');
    mkdirSync(join(dir, 'inner'), { recursive: true });
    writeFileSync(join(dir, 'inner/sample.ts'), sample);
    writeFileSync(join(dir, 'sample.test.ts'), `${sample}\n`.repeat(20));
    const shape = measure(dir, scratch);
    expect(shape.files).toBe(1);
    expect(shape.largestFile).toEqual({ file: 'src/inner/sample.ts', lines: 24 });
    // long 5, value 1, twice 4 (its arrow counts once more, 1); the empty constructor and the
    // expression-bodied arrow have no block to measure.
    expect(shape.longest.map((f) => [f.name, f.lines])).toEqual([
      ['long', 5],
      ['twice', 4],
      ['value', 1],
      ['f', 1],
    ]);
    expect(shape.medianFunctionLines).toBe(2.5);
    expect(shape.longest[0]?.at).toBe('src/inner/sample.ts:1');
  });

  it('keeps packages/core/src within 300 lines a file and a median function of 10 lines', () => {
    const shape = measure();
    expect(shape.functions).toBeGreaterThan(100);
    expect(shape.largestFile.lines, shape.largestFile.file).toBeLessThanOrEqual(300);
    expect(shape.medianFunctionLines).toBeLessThanOrEqual(10);
  });
});
