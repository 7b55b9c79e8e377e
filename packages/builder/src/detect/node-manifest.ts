import { parse as parseYaml } from 'yaml';
import { isRecord, type TreeIndex } from './tree-index.js';

/** The manifests pnpm reads, in its order: `package.json`, else `package.json5`, else `package.yaml`. */
export const NODE_MANIFESTS = ['package.json', 'package.json5', 'package.yaml'] as const;

export interface NodeManifest {
  file: (typeof NODE_MANIFESTS)[number];
  pkg: Record<string, unknown>;
}

export function readNodeManifest(tree: TreeIndex, dir = ''): NodeManifest | undefined {
  for (const file of NODE_MANIFESTS) {
    const path = dir ? `${dir}/${file}` : file;
    if (!tree.has(path)) continue;
    const pkg = file === 'package.json' ? tree.json(path) : parseManifest(file, tree.text(path));
    return pkg ? { file, pkg } : undefined;
  }
  return undefined;
}

function parseManifest(file: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.length > 512 * 1024) return undefined;
  try {
    const value: unknown = file.endsWith('.yaml') ? parseYaml(text) : JSON.parse(json5ToJson(text));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * JSON5 (and tsconfig's JSON with comments) as plain JSON: comments dropped, single-quoted strings
 * and bare keys quoted, trailing commas removed. One linear pass; what it cannot read stays
 * invalid for JSON.parse to refuse.
 */
export function json5ToJson(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      let body = '';
      while (j < n && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < n) {
          const next = text[j + 1]!;
          body += next === "'" ? "'" : next === '\n' ? '' : `\\${next}`;
          j += 2;
        } else {
          body += text[j] === '"' ? '\\"' : text[j];
          j++;
        }
      }
      out += `"${body}"`;
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      let k = j;
      while (k < n && /\s/.test(text[k]!)) k++;
      out += text[k] === ':' ? JSON.stringify(word) : word;
      i = j;
    } else if (c === ',') {
      let k = i + 1;
      for (;;) {
        while (k < n && /\s/.test(text[k]!)) k++;
        if (text[k] === '/' && text[k + 1] === '/') {
          while (k < n && text[k] !== '\n') k++;
        } else if (text[k] === '/' && text[k + 1] === '*') {
          const end = text.indexOf('*/', k + 2);
          k = end < 0 ? n : end + 2;
        } else break;
      }
      if (text[k] !== '}' && text[k] !== ']') out += ',';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
