import { type Berth, createBerth, loadServerConfig, type RunningServer, startServer } from '@berth/server';
import pino from 'pino';

export type ObserveOptions = NonNullable<Parameters<typeof createBerth>[1]>['observe'];

/** berth on a temp home with a fast reconciler tick and the given sampler/rotation settings. */
export function openObservedBerth(
  home: string,
  templates: string,
  observe: ObserveOptions = {},
): Promise<Berth> {
  const config = loadServerConfig(
    { home, templates, port: 0, proxyPort: 0 },
    { BERTH_ADMIN_TOKEN: 'test-token' },
  );
  return createBerth(config, { log: pino({ level: 'silent' }), tickMs: 100, observe });
}

/** The whole server (API + proxy) on the given ports, token `test-token`. */
export function startObservedServer(
  home: string,
  templates: string,
  ports: { api: number; proxy: number },
  observe: ObserveOptions = {},
): Promise<RunningServer> {
  const config = loadServerConfig(
    { home, templates, port: ports.api, proxyPort: ports.proxy, logLevel: 'silent' },
    { BERTH_ADMIN_TOKEN: 'test-token' },
  );
  return startServer(config, { announce: false, tickMs: 100, observe });
}

/** A `command` template running `node -e <code>`, in YAML. */
export function nodeTemplate(name: string, code: string, extra: string[] = []): string {
  return [
    `name: ${name}`,
    'source:',
    '  kind: command',
    `  command: ${JSON.stringify(process.execPath)}`,
    `  args: ["-e", ${JSON.stringify(code)}]`,
    'stopTimeoutSeconds: 3',
    ...extra,
    '',
  ].join('\n');
}
