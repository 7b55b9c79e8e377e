import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its first size, two semi-spaces of 1 MB, instead of letting it
 * grow to two of 16 MB: 32 MB resident for the whole life of the server (it never shrinks back on
 * a busy one), a fifth of its memory with 1,000 instances (issue 20 §2: RSS ≤ 120 MB). The server's
 * garbage is short-lived (requests, /proc reads, JSON): a scavenge of 1 MB costs what it survives,
 * little. Module loading alone grows it to 16 MB, so this must run before the server's modules
 * load: `berth serve` (apps/cli's entry) and the bench's server import it first, for its effect.
 * A process started with its own `--semi-space-growth-factor` or `--max-semi-space-size` keeps it.
 */
export function keepYoungGenerationSmall(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => /semi[-_]space/.test(a))) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}

keepYoungGenerationSmall();
