import { describe, expect, it } from 'vitest';
import { InvalidInput } from './errors.js';
import { parseTemplate, primaryHttpPort, proxiedPorts } from './template.js';

const hello = `name: hello
source:
  kind: command
  command: node
  args: ["-e", "require('http').createServer((q,s)=>s.end(process.env.GREETING)).listen(process.env.PORT)"]
ports:
  - name: http
    env: PORT
    preferred: 18000
    range: [18000, 18999]
env:
  GREETING: hello
health:
  http: { port: http, path: / }
`;

function problem(text: string, file = 'bad.yaml'): InvalidInput {
  try {
    parseTemplate(text, file);
  } catch (err) {
    if (err instanceof InvalidInput) return err;
    throw err;
  }
  throw new Error('expected the template to be refused');
}

describe('parseTemplate', () => {
  it('accepts the hello example as written and fills defaults', () => {
    const t = parseTemplate(hello, 'hello.yaml');
    expect(t.name).toBe('hello');
    expect(t.source).toMatchObject({ kind: 'command', command: 'node' });
    expect(t.ports[0]).toMatchObject({
      name: 'http',
      env: 'PORT',
      preferred: 18000,
      range: [18000, 18999],
      protocol: 'tcp',
    });
    expect(t.health).toMatchObject({ http: { port: 'http', path: '/' }, intervalSeconds: 10, retries: 3 });
    expect(t.stopTimeoutSeconds).toBe(10);
    expect(primaryHttpPort(t)?.name).toBe('http');
  });

  it('reads JSON by file name', () => {
    const t = parseTemplate(
      JSON.stringify({ name: 'j', source: { kind: 'command', command: 'true' } }),
      'j.json',
    );
    expect(t.ports).toEqual([]);
  });

  it('names the file, the field and the reason', () => {
    const err = problem(hello.replace('preferred: 18000', 'preferred: 70000'), 'templates/hello.yaml');
    expect(err.message).toContain('templates/hello.yaml');
    expect(err.message).toContain('ports[0].preferred');
    expect(err.details?.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'ports.0.preferred' })]),
    );
  });

  it('refuses unknown fields, bad names, dangling port references and broken YAML', () => {
    expect(problem(`${hello}colour: blue\n`).message).toContain('colour');
    expect(problem(hello.replace('name: hello', 'name: ../etc')).message).toMatch(
      /name: it must not contain/,
    );
    expect(problem(hello.replace('http: { port: http', 'http: { port: web')).message).toContain(
      "names no port 'web'",
    );
    expect(problem('name: [unclosed').message).toMatch(/bad.yaml cannot be parsed/);
    expect(problem(hello.replace('range: [18000, 18999]', 'range: [18999, 18000]')).message).toContain(
      'ports[0].range',
    );
  });

  it('refuses duplicate keys, naming the key and both lines', () => {
    const err = problem(`${hello}env:\n  OTHER: x\n`);
    expect(err.message).toMatch(
      /bad.yaml cannot be parsed: duplicate key 'env' at line 15 \(first at line 11\)/,
    );
    expect(problem('name: a\nenv: { A: 1, B: 2, A: 3 }\n').message).toMatch(/duplicate key 'A' at line 2/);
  });

  it('checks keys for duplicates in linear time (4x the keys, about 4x the time, not 16x)', () => {
    const many = (n: number) =>
      `name: many\nsource: { kind: command, command: node }\nenv:\n${Array.from({ length: n }, (_, i) => `  K${i}: v`).join('\n')}\n`;
    const fastest = (text: string) =>
      Math.min(
        ...[1, 2, 3].map(() => {
          const started = performance.now();
          parseTemplate(text, 'many.yaml');
          return performance.now() - started;
        }),
      );
    fastest(many(1000)); // warm up the JIT
    const small = fastest(many(5_000));
    const large = fastest(many(20_000));
    expect(large / small).toBeLessThan(9);
    const dup = problem(`${many(30_000)}  K7: again\n`).message;
    expect(dup).toMatch(/duplicate key 'K7' at line 30004 \(first at line 11\)/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]'];
    for (const c of 'cdefghi')
      bomb.push(
        `${c}: &${c} [${Array(9)
          .fill(`*${String.fromCharCode(c.charCodeAt(0) - 1)}`)
          .join(', ')}]`,
      );
    expect(problem(`${bomb.join('\n')}\n`).message).toMatch(/cannot be parsed: .*alias/i);
  });

  it('requires a containerPort for image templates', () => {
    const err = problem(
      'name: web\nsource: { kind: image, image: "nginx:1.27" }\nports:\n  - { name: http, preferred: 8080 }\n',
    );
    expect(err.message).toContain('ports[0].containerPort');
  });

  it('reads data: persistence with its defaults, and names a bad size or class', () => {
    const base = 'name: db\nsource: { kind: image, image: "postgres:16" }\n';
    expect(parseTemplate(`${base}data: { persistent: true }\n`, 'db.yaml').data).toEqual({
      persistent: true,
      size: '1Gi',
    });
    expect(parseTemplate(base, 'db.yaml').data).toBeUndefined();
    expect(problem(`${base}data: { persistent: true, size: lots }\n`).message).toContain('data.size');
    expect(problem(`${base}data: { storageClass: Fast_SSD }\n`).message).toContain('data.storageClass');
    expect(problem(`${base}data: { persist: true }\n`).message).toMatch(/data.*persist/);
  });

  it('accepts the Docker issue example as written', () => {
    const t = parseTemplate(
      'name: web\nsource: { kind: image, image: "nginx:1.27" }\nports:\n  - { name: http, containerPort: 80, preferred: 8080 }\n',
      'web.yaml',
    );
    expect(t.source).toMatchObject({ kind: 'image', image: 'nginx:1.27', init: true, volumes: [] });
  });
});

describe('the port the proxy serves (issue 15 §5)', () => {
  const twoPorts = (extra = '') =>
    `name: two\nsource: { kind: command, command: node }\nports:\n  - { name: metrics }\n  - { name: http }\n  - { name: dns, protocol: udp }\n${extra}`;

  it('is the port named http by default, not the first declared', () => {
    expect(primaryHttpPort(parseTemplate(twoPorts(), 'two.yaml'))?.name).toBe('http');
    expect(proxiedPorts(parseTemplate(twoPorts(), 'two.yaml')).map((p) => p.name)).toEqual([
      'metrics',
      'http',
    ]);
  });

  it('is the first tcp port when none is named http', () => {
    const t = parseTemplate(
      'name: one\nsource: { kind: command, command: node }\nports:\n  - { name: dns, protocol: udp }\n  - { name: admin, http: false }\n  - { name: api }\n',
      'one.yaml',
    );
    expect(primaryHttpPort(t)?.name).toBe('api');
  });

  it('is the one `proxy:` names', () => {
    expect(primaryHttpPort(parseTemplate(twoPorts('proxy: metrics\n'), 'two.yaml'))?.name).toBe('metrics');
  });

  it('refuses a `proxy:` that names no tcp port, naming the field and the ports there are', () => {
    const missing = problem(twoPorts('proxy: admin\n'), 'two.yaml');
    expect(missing.message).toContain("proxy: names no port 'admin'; its tcp ports are metrics, http");
    expect(missing.details?.issues).toContainEqual(expect.objectContaining({ field: 'proxy' }));
    expect(problem(twoPorts('proxy: dns\n'), 'two.yaml').message).toContain(
      "proxy: port 'dns' cannot be proxied",
    );
  });
});
