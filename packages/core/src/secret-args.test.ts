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
});
