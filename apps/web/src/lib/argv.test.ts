import { describe, expect, it } from 'vitest';
import { formatArgv, parseArgv } from './argv';

describe('command lines', () => {
  it('round-trips argument vectors through one editable line', () => {
    for (const argv of [
      ['node', 'server.js'],
      ['sh', '-c', 'exec node server.js --port "$PORT"'],
      ['python', '-m', 'http.server', ''],
      ["it's", 'a\\b'],
    ]) {
      expect(parseArgv(formatArgv(argv))).toEqual(argv);
    }
    expect(formatArgv(['sh', '-c', 'exec x'])).toBe("sh -c 'exec x'");
  });

  it('splits like a shell, without expanding anything', () => {
    expect(parseArgv('  npm   run start ')).toEqual(['npm', 'run', 'start']);
    expect(parseArgv(`sh -c "echo \\"hi\\" $PORT"`)).toEqual(['sh', '-c', 'echo "hi" $PORT']);
    expect(parseArgv("a''b")).toEqual(['ab']);
    expect(() => parseArgv("sh -c 'oops")).toThrow(/single quote/);
  });
});
