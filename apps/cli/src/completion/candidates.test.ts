import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { candidates } from './candidates.js';

describe('completion candidates', () => {
  it('never offers a name with a shell character: bash would insert it unquoted', async () => {
    const program = new Command('berth');
    program.command('integration').command('test').argument('<name>');
    const names = async () => ['ok-1', 'p;touch /tmp/x #', 'a$(id)', 'b c', 'prod.eu:1'];
    const found = await candidates(program, ['berth', 'integration', 'test', ''], 3, names);
    expect(found).toEqual(['ok-1', 'prod.eu:1']);
  });
});
