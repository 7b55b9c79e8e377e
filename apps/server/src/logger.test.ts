import { Writable } from 'node:stream';
import { InvalidInput } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { LogLabels, requestScope } from './log-labels.js';
import { createLogger, logFormat } from './logger.js';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('logFormat', () => {
  it('is readable lines on a terminal and JSON lines anywhere else', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
  });

  it('follows BERTH_LOG_FORMAT whatever stdout is', () => {
    expect(logFormat({ BERTH_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ BERTH_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('refuses a format it does not know, naming the setting', () => {
    expect(() => logFormat({ BERTH_LOG_FORMAT: 'yaml' }, true)).toThrow(InvalidInput);
    expect(() => logFormat({ BERTH_LOG_FORMAT: 'yaml' }, true)).toThrow(/BERTH_LOG_FORMAT.*'yaml'/);
  });
});

describe('createLogger', () => {
  it('pretty: one line with time, level, namespace, message and the other fields', () => {
    const out = sink();
    const log = createLogger('info', 'pretty', out.stream);
    log.child({ ns: 'reconciler', instance: 'api-2' }).warn({ port: 18001 }, 'restarting');
    log.debug('below the level');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: reconciler: restarting /);
    expect(JSON.parse(lines[0]?.slice(lines[0].indexOf('{')) ?? '')).toEqual({
      instance: 'api-2',
      port: 18001,
    });
    expect(out.text()).not.toMatch(/pid|hostname|"level"/);
  });

  it('json: one JSON object a line, as log collectors read it', () => {
    const out = sink();
    createLogger('info', 'json', out.stream).child({ ns: 'proxy' }).info({ port: 7412 }, 'listening');
    const line = JSON.parse(out.text());
    expect(line).toMatchObject({ level: 'info', app: 'berth', ns: 'proxy', port: 7412, msg: 'listening' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('json: a line about an instance gets its name, template and node, once each', () => {
    const out = sink();
    const labels = new LogLabels();
    const web1 = { id: 'id-7', name: 'web-1', template: 'web', node: 'far' };
    labels.attach((key) => (key === web1.id || key === web1.name ? web1 : undefined));
    const log = createLogger('info', 'json', out.stream, labels).child({ ns: 'reconciler' });
    log.error({ instance: 'id-7' }, 'reconcile failed');
    log.child({ instance: 'web-1' }).info({}, 'Started web-1');
    log.info({ instance: 'gone-3' }, 'removed');
    const [byId, bound, gone] = out.text().trimEnd().split('\n');
    expect(JSON.parse(byId ?? '')).toMatchObject({ instance: 'web-1', template: 'web', node: 'far' });
    expect(JSON.parse(bound ?? '')).toMatchObject({ instance: 'web-1', template: 'web', node: 'far' });
    expect(bound?.match(/"instance"/g)).toHaveLength(1);
    expect(JSON.parse(gone ?? '')).not.toHaveProperty('template');
  });

  it('json: a line written while a request is answered carries its requestId', () => {
    const out = sink();
    const log = createLogger('info', 'json', out.stream, new LogLabels());
    requestScope.run({ requestId: 'req-9' }, () => log.info({}, 'inside'));
    log.info({}, 'outside');
    const [inside, outside] = out
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(inside).toMatchObject({ requestId: 'req-9', msg: 'inside' });
    expect(outside).not.toHaveProperty('requestId');
  });
});
