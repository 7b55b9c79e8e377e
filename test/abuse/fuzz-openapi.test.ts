import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../apps/server/test/test-server.js';
import { recordFigures } from './summary.js';

// A fuzz run of the API generated from its own OpenAPI document: every operation, with and without
// the token, bodies made from the JSON schemas and then broken. Bounded (REQUESTS, a few workers),
// localhost only, and harmless: every template it can create runs `sleep`, and every address it
// can give a node, integration or build points at 127.0.0.1:1 or a missing path. Seeded: set
// BERTH_FUZZ_SEED to replay a failure. Ports 13900–14099 belong to this file.

const SEED = Number(process.env.BERTH_FUZZ_SEED ?? 19_019);
const REQUESTS = Number(process.env.BERTH_FUZZ_REQUESTS ?? 5_000);
const WORKERS = 6;
const TIMEOUT_MS = 15_000;

/** mulberry32: small, fast and the same on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
  };
}
type Rng = ReturnType<typeof prng>;

// biome-ignore lint/suspicious/noExplicitAny: JSON schemas and fuzzed values are loose by nature
type Json = any;

const marker = mkdtempSync(join(tmpdir(), 'berth-fuzz-marker-'));
const pwned = join(marker, 'pwned');

const STRINGS = [
  '',
  ' ',
  'a',
  'safe',
  'fuzz-1',
  'a'.repeat(300),
  'x'.repeat(70_000),
  '../../../../etc/passwd',
  '..',
  '.',
  '/',
  '\u0000',
  'nul\u0000byte',
  '\r\nX-Injected: 1',
  '%00',
  '%2e%2e%2f',
  '${HOME}',
  '${config.x}',
  `$(touch ${pwned})`,
  `;touch ${pwned}`,
  `|| touch ${pwned}`,
  `\`touch ${pwned}\``,
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE instances; --',
  '__proto__',
  'constructor',
  'prototype',
  '🚀ünïcödé',
  '\ud800',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'true',
  'null',
  '{{7*7}}',
  'Rentrée',
];
const NUMBERS = [
  0,
  -1,
  1,
  2,
  80,
  65_535,
  65_536,
  2 ** 31,
  -(2 ** 31),
  2 ** 53 + 2,
  1e308,
  -1e308,
  0.5,
  13_950,
];
// Addresses a fuzzed node, integration or build may get: this machine, where nothing answers.
const ADDRESSES = [
  'tcp://127.0.0.1:1',
  'http://127.0.0.1:1',
  'https://127.0.0.1:1/x.git',
  'ssh://root@127.0.0.1:1',
  'unix:///nonexistent/berth-fuzz.sock',
  '127.0.0.1:1',
  'ext::true',
  '--upload-pack=true',
  'ssh://-oProxyCommand=true/repo',
  'file:///nonexistent/berth-fuzz',
  '/nonexistent/berth-fuzz',
  'not a url',
  '',
];
const SAFE_SOURCE = { kind: 'command', command: 'sleep', args: ['30'] };
/** Keys whose values could reach the network, the disk or a shell: always from ADDRESSES. */
const ADDRESS_KEYS = new Set(['host', 'url', 'endpoint', 'source', 'context', 'file', 'envFile', 'certPath']);

function randomString(r: Rng): string {
  if (r.chance(0.6)) return r.pick(STRINGS);
  const n = r.int(1, 24);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.8) ? r.int(97, 122) : r.int(0, 0x2fff));
  return s;
}

function confused(r: Rng): Json {
  return r.pick([
    () => null,
    () => true,
    () => r.pick(NUMBERS),
    () => randomString(r),
    () => [],
    () => [randomString(r), 1, null],
    () => ({}),
    () => JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":1}}'),
  ])();
}

/** JSON text nested `depth` levels (objects and arrays in turn), built as text: too deep to stringify. */
function deep(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += i % 2 ? '[' : '{"a":';
    close = (i % 2 ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

/** A value for `schema`, mostly valid, sometimes confused (`p` is the chance of breaking a level). */
function fromSchema(schema: Json, r: Rng, p: number, depth = 0): Json {
  if (!schema || depth > 8) return confused(r);
  if (r.chance(p)) return confused(r);
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return fromSchema(r.pick(variants), r, p, depth + 1);
  if (schema.enum) return r.chance(0.9) ? r.pick(schema.enum) : randomString(r);
  const type = Array.isArray(schema.type) ? r.pick(schema.type) : schema.type;
  switch (type) {
    case 'string':
      return schema.pattern && r.chance(0.5) ? `fuzz-${r.int(0, 50)}` : randomString(r);
    case 'integer':
    case 'number': {
      if (r.chance(0.7) && (schema.minimum !== undefined || schema.maximum !== undefined)) {
        const lo = schema.minimum ?? 0;
        const hi = Math.min(schema.maximum ?? lo + 1000, lo + 100_000);
        return r.int(lo, hi);
      }
      return r.pick(NUMBERS);
    }
    case 'boolean':
      return r.chance(0.5);
    case 'array': {
      const n = r.int(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 4));
      return Array.from({ length: n }, () => fromSchema(schema.items, r, p, depth + 1));
    }
    case 'object': {
      const out: Record<string, Json> = {};
      const required = new Set<string>(schema.required ?? []);
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (required.has(key) ? r.chance(0.95) : r.chance(0.5)) out[key] = fromSchema(sub, r, p, depth + 1);
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        for (let i = r.int(0, 2); i > 0; i--)
          out[randomString(r) || 'k'] = fromSchema(schema.additionalProperties, r, p, depth + 1);
      }
      if (r.chance(0.1)) out[randomString(r) || 'extra'] = confused(r);
      return out;
    }
    default:
      return confused(r);
  }
}

/** Makes a generated body harmless: addresses from ADDRESSES, template sources run `sleep`. */
function harmless(value: Json, r: Rng, isTemplate: boolean): Json {
  if (Array.isArray(value)) return value.map((v) => harmless(v, r, false));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isTemplate && k === 'source') out[k] = v && typeof v === 'object' ? SAFE_SOURCE : v;
    else if (ADDRESS_KEYS.has(k))
      out[k] = v && typeof v === 'object' ? harmless(v, r, false) : r.pick(ADDRESSES);
    else out[k] = harmless(v, r, false);
  }
  return out;
}

interface Operation {
  method: string;
  path: string;
  params: Json[];
  body?: Json;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const PATH_GARBAGE = [
  '..',
  '%2e%2e',
  '%2F',
  '%252F',
  '%ZZ',
  '%00',
  'a'.repeat(5_000),
  '%F0%9F%9A%80',
  '%C0%AE',
  'x%0d%0aSet-Cookie:%20a=b',
  "'",
  '*',
  '-1',
  '99999999999999999999',
  '0',
];

/** encodeURIComponent that also takes lone surrogates (sent as their raw UTF-8 bytes, invalid on purpose). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

function pathValue(op: Operation, name: string, r: Rng, existing: Record<string, string[]>): string {
  // Deleting the templates and nodes the run relies on would only make the rest of it 404.
  const known =
    op.method === 'delete' && !op.path.startsWith('/api/v1/instances') ? [] : (existing[name] ?? []);
  if (known.length > 0 && r.chance(0.45)) return enc(r.pick(known));
  if (r.chance(0.5)) return r.pick(PATH_GARBAGE);
  return enc(randomString(r));
}

function queryString(op: Operation, r: Rng): string {
  const parts: string[] = [];
  for (const param of op.params.filter((x) => x.in === 'query')) {
    if (!r.chance(0.6)) continue;
    const value = r.chance(0.7) ? fromSchema(param.schema, r, 0.1) : confused(r);
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    // follow=1 streams: the run reads its head and lets it go, so keep those rare.
    if (param.name === 'follow' && r.chance(0.8)) continue;
    parts.push(`${enc(param.name)}=${enc(text)}`);
    if (r.chance(0.05)) parts.push(`${enc(param.name)}=${enc(randomString(r))}`);
  }
  if (r.chance(0.1)) parts.push(`${enc(randomString(r))}=${enc(randomString(r))}`);
  if (r.chance(0.03)) parts.push('%ZZ=%', '&&=', 'a[b][c]=1');
  return parts.length ? `?${parts.join('&')}` : '';
}

function bodyFor(op: Operation, r: Rng): { body?: string; type?: string } {
  const schema = op.body;
  const isTemplate = op.path.startsWith('/api/v1/templates');
  const roll = r.next();
  if (!schema && roll < 0.7) return {};
  if (roll < 0.55)
    return {
      body: JSON.stringify(harmless(fromSchema(schema, r, 0.03), r, isTemplate)),
      type: 'application/json',
    };
  if (roll < 0.72)
    return {
      body: JSON.stringify(harmless(fromSchema(schema, r, 0.3), r, isTemplate)),
      type: 'application/json',
    };
  if (roll < 0.76) return { body: JSON.stringify(harmless({}, r, isTemplate)), type: 'application/json' };
  if (roll < 0.8) return { body: deep(r.pick([50, 500, 5_000, 50_000])), type: 'application/json' };
  if (roll < 0.83) return { body: JSON.stringify(confused(r)), type: 'application/json' };
  if (roll < 0.87)
    return {
      body: r.pick(['{', '{"a":', 'nul', '[1,]', '{"a":1}}', '\u0000', '', '{"__proto__":{"x":1}}']),
      type: 'application/json',
    };
  if (roll < 0.9)
    return {
      body: JSON.stringify({ big: 'x'.repeat(r.pick([200_000, 1_200_000])) }),
      type: 'application/json',
    };
  if (roll < 0.95)
    return {
      body: 'name: safe\nsource: {kind: command, command: sleep}\n',
      type: r.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/yaml',
        'multipart/form-data',
        'application/json; charset=utf-16',
        'garbage',
      ]),
    };
  return { body: JSON.stringify(harmless(fromSchema(schema, r, 0.05), r, isTemplate)), type: 'text/plain' };
}

function generate(
  op: Operation,
  r: Rng,
  base: string,
  token: string,
  existing: Record<string, string[]>,
): FuzzRequest {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => pathValue(op, name, r, existing));
  const headers: Record<string, string> = {};
  const auth = r.next();
  if (auth < 0.82) headers.authorization = `Bearer ${token}`;
  else if (auth < 0.88)
    headers.authorization = r.pick([
      'Bearer ',
      'Bearer x',
      `Basic ${token}`,
      `bearer ${token}x`,
      'Bearer \u00ff',
    ]);
  const { body, type } = bodyFor(op, r);
  if (type) headers['content-type'] = type;
  if (r.chance(0.03)) headers.accept = r.pick(['text/html', 'application/xml', '*/*', '']);
  return {
    method: op.method.toUpperCase(),
    url: `${base}${path}${queryString(op, r)}`,
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

function describeRequest(q: FuzzRequest): string {
  const body = q.body === undefined ? '' : ` body(${q.body.length}): ${q.body.slice(0, 400)}`;
  return `${q.method} ${q.url.slice(0, 400)} headers=${JSON.stringify(q.headers).slice(0, 300)}${body}`;
}

let t: TestServer;
const safeTemplate = {
  name: 'safe',
  source: SAFE_SOURCE,
  ports: [{ name: 'http', env: 'PORT', preferred: 13_900, range: [13_900, 14_099] }],
};

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [safeTemplate] });
  for (const name of ['fuzz-a', 'fuzz-b'])
    expect((await t.api('POST', '/instances', { template: 'safe', name, start: false })).status).toBe(201);
});

afterAll(async () => {
  await t?.close();
  rmSync(marker, { recursive: true, force: true });
});

/** Writes `data` raw to the API port; resolves with all it reads until the server closes. */
function raw(data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.server.apiPort, '127.0.0.1');
    let read = '';
    socket.setEncoding('latin1');
    socket.on('data', (c) => (read += c));
    socket.on('close', () => resolve(read));
    socket.on('error', reject);
    socket.write(data);
  });
}

describe('requests Node cannot parse, before any route', () => {
  it.each([
    [
      'a head over 16 KB',
      `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['a header line without a colon', 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n', 400],
    [
      'Content-Length with Transfer-Encoding',
      'POST /api/v1/templates HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
  ])('answer %s in the error envelope', async (_, data, status) => {
    const read = await raw(data as string);
    expect(read.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${STATUS_CODES[status as number]}`);
    const body = JSON.parse(read.slice(read.indexOf('\r\n\r\n') + 4));
    expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});

describe(`${REQUESTS} requests generated from the OpenAPI document (seed ${SEED})`, () => {
  it('never answers 5xx, answers every error in the envelope, and stays alive', {
    timeout: 240_000,
  }, async () => {
    const doc = (await (await fetch(`${t.apiUrl}/api/openapi.json`)).json()) as Json;
    const ops: Operation[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        ops.push({
          method,
          path,
          params: op.parameters ?? [],
          body: op.requestBody?.content?.['application/json']?.schema,
        });
      }
    }
    expect(ops.length).toBeGreaterThan(40);
    const existing = { id: ['fuzz-a', 'fuzz-b'], name: ['safe', 'local', 'fuzz-1'], port: ['13900', '80'] };

    const r = prng(SEED);
    const requests = Array.from({ length: REQUESTS }, (_, i) =>
      generate(ops[i % ops.length] as Operation, r, t.apiUrl, t.token, existing),
    );
    const statuses: Record<string, number> = {};
    const failures: string[] = [];
    const perOperation = new Map<string, Set<number>>();
    let next = 0;
    const spent = new Map<string, number>();
    const started = Date.now();

    // A connection the server closed right after answering an oversized request (413, 431) can
    // still be handed to the next request by fetch's pool: that request is sent once more, on a
    // new connection, and counts as a failure only if it fails again.
    let resent = 0;
    async function send(q: FuzzRequest, op: Operation, retry = true): Promise<void> {
      const began = Date.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      let status: number | string;
      try {
        const res = await fetch(q.url, {
          method: q.method,
          headers: q.headers,
          signal: controller.signal,
          ...(q.body !== undefined && q.method !== 'GET' ? { body: q.body } : {}),
        });
        status = res.status;
        const type = res.headers.get('content-type') ?? '';
        if (type.includes('text/event-stream')) {
          await res.body?.cancel();
        } else {
          const text = await res.text();
          if (res.status >= 400) {
            let envelope: Json;
            try {
              envelope = JSON.parse(text);
            } catch {
              envelope = undefined;
            }
            const e = envelope?.error;
            if (typeof e?.code !== 'string' || typeof e?.message !== 'string' || e.message === '')
              failures.push(
                `${res.status} without the error envelope (${text.slice(0, 200)}): ${describeRequest(q)}`,
              );
          }
        }
        if (res.status >= 500) failures.push(`${res.status}: ${describeRequest(q)}`);
      } catch (err) {
        status = controller.signal.aborted ? 'timeout' : 'network-error';
        if (status === 'network-error' && retry) {
          clearTimeout(timer);
          resent++;
          return send(q, op, false);
        }
        const cause = (err as Error & { cause?: Error }).cause;
        failures.push(`${status} (${(err as Error).message}: ${cause?.message}): ${describeRequest(q)}`);
      } finally {
        clearTimeout(timer);
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      const key = `${op.method.toUpperCase()} ${op.path}`;
      spent.set(key, (spent.get(key) ?? 0) + Date.now() - began);
      if (!perOperation.has(key)) perOperation.set(key, new Set());
      if (typeof status === 'number') perOperation.get(key)?.add(status);
    }

    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = next++; i < requests.length; i = next++)
          await send(requests[i] as FuzzRequest, ops[i % ops.length] as Operation);
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    const health = await fetch(`${t.apiUrl}/api/v1/health`);
    const alive = health.status === 200;
    recordFigures('fuzz-openapi', {
      seed: SEED,
      requests: requests.length,
      operations: ops.length,
      statuses,
      fiveHundreds: Object.entries(statuses)
        .filter(([s]) => s.startsWith('5'))
        .reduce((n, [, c]) => n + c, 0),
      failures: failures.length,
      resentAfterReset: resent,
      slowestOperationsMs: Object.fromEntries([...spent].sort((a, b) => b[1] - a[1]).slice(0, 5)),
      seconds,
      alive,
    });
    if (failures.length)
      console.error(
        `fuzz failures (replay with BERTH_FUZZ_SEED=${SEED}):\n${failures.slice(0, 30).join('\n')}`,
      );
    expect(failures.slice(0, 10)).toEqual([]);
    expect(alive).toBe(true);
    // Every operation was reached by requests the server accepted as far as its handler, not only refused.
    const neverPastAuth = [...perOperation].filter(([, s]) => [...s].every((x) => x === 401 || x === 403));
    expect(neverPastAuth.map(([k]) => k)).toEqual([]);
    // Shell metacharacters in the fuzzed values never ran anything.
    expect(existsSync(pwned)).toBe(false);
  });
});
