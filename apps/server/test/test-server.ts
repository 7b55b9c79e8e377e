import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServerConfig, type RunningServer, startServer } from '../src/index.js';

const NODE_MODULES = resolve(fileURLToPath(new URL('../../../node_modules', import.meta.url)));

/**
 * An HTTP + WebSocket echo service as a `command` template: answers "hello from <instance> <path>"
 * and echoes WebSocket messages as "echo:<message>". Ports come from `range`: each file its own block (test/port-blocks.ts).
 */
export function echoTemplate(name: string, range: [number, number]) {
  const script = [
    "const http=require('http');const {WebSocketServer}=require('ws');",
    "const s=http.createServer((q,r)=>r.end('hello from '+process.env.BERTH_INSTANCE+' '+q.url));",
    "new WebSocketServer({server:s}).on('connection',c=>c.on('message',m=>c.send('echo:'+m)));",
    's.listen(process.env.PORT);',
  ].join('');
  return {
    name,
    source: { kind: 'command', command: process.execPath, args: ['-e', script] },
    ports: [{ name: 'http', env: 'PORT', preferred: range[0], range }],
    env: { NODE_PATH: NODE_MODULES },
    readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
  };
}

export interface TestServer {
  server: RunningServer;
  home: string;
  token: string;
  apiUrl: string;
  proxyPort: number;
  /** A JSON request to /api/v1 with the admin token (or `token`, or none with null). */
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startTestServer(opts: {
  apiPort: number;
  proxyPort: number;
  templates?: object[];
  /** A built web UI to serve (default: apps/web/dist when it exists). */
  webDist?: string;
}): Promise<TestServer> {
  const home = mkdtempSync(join(tmpdir(), 'berth-server-test-'));
  const templatesDir = join(home, 'templates');
  mkdirSync(templatesDir, { recursive: true });
  for (const t of opts.templates ?? []) {
    writeFileSync(join(templatesDir, `${(t as { name: string }).name}.json`), JSON.stringify(t));
  }
  const config = loadServerConfig(
    { home, port: opts.apiPort, proxyPort: opts.proxyPort, logLevel: 'silent', webDist: opts.webDist },
    { BERTH_ADMIN_TOKEN: 'test-admin-token' },
  );
  const server = await startServer(config, { announce: false });
  const token = 'test-admin-token';
  const apiUrl = server.apiUrl;
  return {
    server,
    home,
    token,
    apiUrl,
    proxyPort: server.proxyPort,
    async api(method, path, body, useToken) {
      const headers: Record<string, string> = {};
      const t = useToken === undefined ? token : useToken;
      if (t !== null) headers.authorization = `Bearer ${t}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${apiUrl}/api/v1${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      for (const i of server.berth.instances.list())
        await server.berth.instances.remove(i.id).catch(() => {});
      await server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
