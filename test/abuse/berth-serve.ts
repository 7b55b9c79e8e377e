import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));

export interface ServeProcess {
  proc: ChildProcessWithoutNullStreams;
  /** The API's base URL, read from the "berth is listening" log line. */
  api: string;
  /** Settles when the process has exited, however it ended. */
  exited: Promise<unknown>;
  /** Ends it with SIGTERM and waits, unless it has already exited. */
  stop(): Promise<void>;
}

/** A real `berth serve` (apps/cli/dist/main.js) on `home`, both ports chosen by the kernel. */
export function serve(home: string, templates: string, token: string): Promise<ServeProcess> {
  const proc = spawn(
    process.execPath,
    [MAIN, 'serve', '--home', home, '--templates', templates, '--port', '0', '--proxy-port', '0'],
    { env: { ...process.env, BERTH_ADMIN_TOKEN: token, BERTH_LOG_LEVEL: 'info' } },
  );
  let done = false;
  const exited = new Promise((r) =>
    proc.once('exit', (...a) => {
      done = true;
      r(a);
    }),
  );
  const stop = async () => {
    if (done) return;
    proc.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const api = /"api":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      if (api) resolve({ proc, api, exited, stop });
    });
    proc.once('exit', (code) => reject(new Error(`berth serve exited (${code}) before listening:\n${out}`)));
  });
}
