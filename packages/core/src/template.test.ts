import { describe, expect, it } from 'vitest';
import { InvalidInput } from './errors.js';
import { parseTemplate, primaryHttpPort } from './template.js';

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

  it('requires a containerPort for image templates', () => {
    const err = problem(
      'name: web\nsource: { kind: image, image: "nginx:1.27" }\nports:\n  - { name: http, preferred: 8080 }\n',
    );
    expect(err.message).toContain('ports[0].containerPort');
  });

  it('accepts the Docker issue example as written', () => {
    const t = parseTemplate(
      'name: web\nsource: { kind: image, image: "nginx:1.27" }\nports:\n  - { name: http, containerPort: 80, preferred: 8080 }\n',
      'web.yaml',
    );
    expect(t.source).toMatchObject({ kind: 'image', image: 'nginx:1.27', init: true, volumes: [] });
  });
});
