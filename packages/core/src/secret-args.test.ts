import { describe, expect, it } from 'vitest';
import { assertNoSecretInArgs } from './secret-args.js';

const spec = { env: { APIKEY: 'TOPSECRET', MODE: 'prod' }, secretEnv: ['APIKEY'] };

describe('secret config values never in a cluster workload’s arguments', () => {
  it('refuses an argv that carries a secret value, naming the variable to read instead', () => {
    expect(() => assertNoSecretInArgs(spec, ['sh', '-c', 'run --key TOPSECRET'], 'the swarm')).toThrow(
      /APIKEY would appear .*the swarm.*\$APIKEY/,
    );
    expect(() => assertNoSecretInArgs(spec, ['--token', 'TOPSECRET'], 'x')).toThrow(/APIKEY/);
  });

  it('lets through an argv with only plain values or the variable’s name', () => {
    expect(() =>
      assertNoSecretInArgs(spec, ['sh', '-c', 'run --key "$APIKEY" --mode prod'], 'x'),
    ).not.toThrow();
    expect(() => assertNoSecretInArgs({ env: { A: '' }, secretEnv: ['A'] }, ['anything'], 'x')).not.toThrow();
  });

  it('matches whole arguments and words, not substrings: a secret "x" refuses only an x of its own', () => {
    const x = { env: { K: 'x' }, secretEnv: ['K'] };
    expect(() => assertNoSecretInArgs(x, ['nginx', '-g', 'daemon off;', '--max', 'xx'], 'x')).not.toThrow();
    expect(() => assertNoSecretInArgs(x, ['sh', '-c', 'exec nginx -x2'], 'x')).not.toThrow();
    for (const argv of [
      ['x'],
      ['--key=x'],
      ['sh', '-c', 'run --key x'],
      ['sh', '-c', 'run --key="x";'],
      ['-k', "'x'"],
    ])
      expect(() => assertNoSecretInArgs(x, argv, 'x'), argv.join(' ')).toThrow(/K would appear/);
  });

  it('finds a secret of several words where it stands as a whole in a shell command', () => {
    const s = { env: { P: 'open sesame' }, secretEnv: ['P'] };
    expect(() => assertNoSecretInArgs(s, ['sh', '-c', 'login --pass "open sesame"'], 'x')).toThrow(/P would/);
    expect(() => assertNoSecretInArgs(s, ['sh', '-c', 'reopen sesames'], 'x')).not.toThrow();
  });
});
