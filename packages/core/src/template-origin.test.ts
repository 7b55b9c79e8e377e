import { describe, expect, it } from 'vitest';
import { InvalidInput } from './errors.js';
import {
  API_ORIGIN,
  fileOrigin,
  formatTemplateOrigin,
  parseTemplateOrigin,
  templateFolderOf,
} from './template-origin.js';

describe('template origin', () => {
  it('formats as the text stored and shown: file:<path> and api', () => {
    expect(formatTemplateOrigin(fileOrigin('/etc/berth/templates/web.yaml'))).toBe(
      'file:/etc/berth/templates/web.yaml',
    );
    expect(formatTemplateOrigin(API_ORIGIN)).toBe('api');
  });

  it('parses what it formats, a path with a colon too', () => {
    for (const o of [
      API_ORIGIN,
      fileOrigin('/srv/t/web.yaml'),
      fileOrigin('/srv/a:b/web.yaml'),
      fileOrigin('web.yaml'),
    ]) {
      expect(parseTemplateOrigin(formatTemplateOrigin(o))).toEqual(o);
    }
  });

  it('refuses any other text by name', () => {
    for (const text of ['', 'file:', 'API', 'compose:app.yml', '/srv/web.yaml']) {
      expect(() => parseTemplateOrigin(text)).toThrow(InvalidInput);
    }
    expect(() => parseTemplateOrigin('compose:x')).toThrow(/'compose:x' is not a template origin/);
  });

  it("a file template's folder is its file's; an API template has none", () => {
    expect(templateFolderOf(fileOrigin('/srv/templates/web.yaml'))).toBe('/srv/templates');
    expect(templateFolderOf(fileOrigin('web.yaml'))).toBe('.');
    expect(templateFolderOf(API_ORIGIN)).toBeNull();
  });
});
