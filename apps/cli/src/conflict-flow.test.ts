import { expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { choosePort, resolvingConflicts } from './conflict-flow.js';

const conflict = {
  name: 'http',
  envVar: 'PORT',
  port: 18000,
  protocol: 'tcp' as const,
  usedBy: 'process x',
  suggestedPort: 18001,
};
const opts = (answers: string[]) => ({
  yes: false,
  interactive: true,
  ask: async () => answers.shift() ?? '',
  report: () => {},
});

it('takes the suggestion on enter or yes, a typed port as is, and refuses on no', async () => {
  expect(await choosePort(conflict, opts(['']))).toBe(18001);
  expect(await choosePort(conflict, opts(['maybe', 'y']))).toBe(18001);
  expect(await choosePort(conflict, opts(['18050']))).toBe(18050);
  await expect(choosePort(conflict, opts(['n']))).rejects.toThrow(/still taken/);
});

it('applies the chosen ports and retries; without a terminal it reports and rethrows', async () => {
  const refused = new CliError('conflict', 'taken', 'PORT_CONFLICT', { portConflicts: [conflict] });
  let calls = 0;
  const applied: number[] = [];
  const result = await resolvingConflicts(
    async () => {
      if (calls++ === 0) throw refused;
      return 'started';
    },
    async (_c, port) => {
      applied.push(port);
    },
    opts(['']),
  );
  expect(result).toBe('started');
  expect(applied).toEqual([18001]);
  const reports: string[] = [];
  await expect(
    resolvingConflicts(
      async () => {
        throw refused;
      },
      async () => {},
      { ...opts([]), interactive: false, report: (s) => reports.push(s) },
    ),
  ).rejects.toBe(refused);
  expect(reports[0]).toContain('18000');
});
