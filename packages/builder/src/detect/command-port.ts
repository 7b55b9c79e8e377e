/** What a start command line says about its port. */
export interface CommandPort {
  /** The command binds to `$PORT` (berth sets it), by an argument or by the program's own rule. */
  fromEnv: boolean;
  /** A port the command fixes, or the program's default when it reads no `$PORT`. */
  port: number | null;
  /** Why, for the evidence. */
  reason: string | null;
}

// Flags that name a port: `-p 4000`, `--port=4000`, `--bind 0.0.0.0:8000`, `-b :8000`, `tcp://0.0.0.0:9000`.
const PORT_FLAG =
  /(?:^|\s)(?:-p\s{0,4}|--port[=\s]\s{0,4}|(?:-b|--bind|--listen)[=\s]\s{0,4}[\w.[\]]{0,60}:|tcp:\/\/[\w.]{0,60}:|runserver\s{1,4}(?:[\w.]{0,60}:)?)(\d{2,5})\b/;

/** Servers whose port without a flag is fixed (and reads no `$PORT`), or that bind `$PORT` by themselves. */
const DEFAULTS: [RegExp, number | 'env', string][] = [
  [/^(?:bundle\s+exec\s+)?rackup\b/, 9292, 'rackup listens on 9292 without -p'],
  [/^(?:bundle\s+exec\s+)?(?:puma|thin)\b/, 9292, 'puma listens on 9292 without -p'],
  [/^gunicorn\b/, 'env', 'gunicorn binds 0.0.0.0:$PORT when PORT is set'],
  [/^uvicorn\b/, 8000, 'uvicorn listens on 8000 without --port'],
  [/^(?:npx\s+)?react-router-serve\b/, 'env', 'react-router-serve listens on $PORT (3000 without it)'],
];

export function commandPort(line: string): CommandPort {
  const cmd = line.trim().replace(/^exec\s+/, '');
  if (/\$\{?PORT\b/.test(cmd)) return { fromEnv: true, port: null, reason: 'the command binds to $PORT' };
  const flag = PORT_FLAG.exec(cmd.slice(0, 1000))?.[1];
  const fixed = flag === undefined ? Number.NaN : Number(flag);
  if (fixed >= 1 && fixed <= 65535)
    return { fromEnv: false, port: fixed, reason: `the command listens on ${fixed}` };
  const known = DEFAULTS.find(([pattern]) => pattern.test(cmd));
  if (!known) return { fromEnv: false, port: null, reason: null };
  return known[1] === 'env'
    ? { fromEnv: true, port: null, reason: known[2] }
    : { fromEnv: false, port: known[1], reason: known[2] };
}
