import type { Command } from '../detection.js';

/** Which HTTP client the final image has; berth never assumes curl. */
export type HealthProbe = 'node' | 'bun' | 'python' | 'php' | 'ruby' | 'busybox' | 'bash';

/**
 * The container is healthy when the app answers HTTP below 500 on `$PORT` — a 404 on `/`
 * still means the server is up. Each probe uses only what its image already has.
 */
export function healthcheck(probe: HealthProbe, path: string): Command {
  const p = /^\/[\w./-]{0,100}$/.test(path) ? path : '/';
  switch (probe) {
    case 'node':
    case 'bun':
      return [
        probe,
        '-e',
        `fetch('http://127.0.0.1:'+process.env.PORT+'${p}').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))`,
      ];
    case 'python':
      return [
        'python',
        '-c',
        `import os,sys,urllib.request as u\ntry: u.urlopen('http://127.0.0.1:'+os.environ['PORT']+'${p}',timeout=4)\nexcept u.HTTPError as e: sys.exit(e.code>=500)\nexcept Exception: sys.exit(1)`,
      ];
    case 'php':
      return ['php', '-r', `$s=@fsockopen('127.0.0.1',(int)getenv('PORT'),$e,$m,4);exit($s?0:1);`];
    case 'ruby':
      return [
        'ruby',
        '-rnet/http',
        '-e',
        `exit(Net::HTTP.get_response(URI("http://127.0.0.1:#{ENV["PORT"]}${p}")).code.to_i < 500) rescue exit(1)`,
      ];
    case 'busybox':
      // busybox wget fails on any error status; its message carries the code, so 4xx counts as up.
      return [
        'sh',
        '-c',
        `out=$(wget -O /dev/null "http://127.0.0.1:$PORT${p}" 2>&1) || echo "$out" | grep -q ' [1-4][0-9][0-9] '`,
      ];
    case 'bash':
      // No HTTP client in these images: speak HTTP/1.0 over bash's /dev/tcp and read the status line.
      return [
        'bash',
        '-c',
        `exec 3<>/dev/tcp/127.0.0.1/$PORT && printf 'GET ${p} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -q ' [1-4]'`,
      ];
  }
}
