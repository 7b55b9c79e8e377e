/** A source of random bytes; tests inject a fixed one so generated files are stable. */
export type RandomBytes = (length: number) => Uint8Array;

export const cryptoRandom: RandomBytes = (length) =>
  globalThis.crypto.getRandomValues(new Uint8Array(length));

/** A password safe in URLs, YAML and shells alike: lowercase hex. */
export function password(random: RandomBytes, bytes = 18): string {
  return [...random(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
