// The `berth` command: parses the arguments, runs the command, maps a failure to its exit code.
import { describeFailure } from './cli-error.js';
import { buildProgram } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  const { exitCode, message } = describeFailure(e);
  const helpShown = (e as { code?: string }).code?.startsWith('commander.');
  if (helpShown) {
    const code = (e as { exitCode?: number }).exitCode ?? exitCode;
    process.exitCode = code === 0 ? 0 : exitCode;
  } else {
    process.stderr.write(`berth: ${message}\n`);
    process.exitCode = exitCode;
  }
}
