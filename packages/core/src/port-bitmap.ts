/** A set of ports 0–65535 as bits: 8 KiB per host and protocol, O(1) test, word-skipping scans. */
export class PortBitmap {
  private readonly words = new Uint32Array(2048);

  has(port: number): boolean {
    return (this.words[port >>> 5]! & (1 << (port & 31))) !== 0;
  }

  add(port: number): void {
    this.words[port >>> 5]! |= 1 << (port & 31);
  }

  delete(port: number): void {
    this.words[port >>> 5]! &= ~(1 << (port & 31));
  }

  /** First port in [from, to] not in the set and accepted by `ok`, or null. */
  firstClear(from: number, to: number, ok: (port: number) => boolean): number | null {
    let p = from;
    while (p <= to) {
      if ((p & 31) === 0 && this.words[p >>> 5] === 0xffffffff) {
        p += 32;
        continue;
      }
      if (!this.has(p) && ok(p)) return p;
      p++;
    }
    return null;
  }
}
