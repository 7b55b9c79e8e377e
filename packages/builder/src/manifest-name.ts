import { nameProblem } from '@berth/core';
import type { RepoTree } from './repo-tree.js';

/** A name written by people (`@acme/Shop_API`) as an app name berth takes (`shop-api`). */
export function asAppName(raw: string): string | undefined {
  const name = raw
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return name && !nameProblem(name) ? name : undefined;
}

function jsonName(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** `name = "x"` inside a TOML table (`[package]`, `[project]`, `[tool.poetry]`). */
function tomlName(text: string | undefined, table: string): string | undefined {
  if (!text) return undefined;
  const at = text.split('\n').findIndex((l) => l.trim() === `[${table}]`);
  if (at < 0) return undefined;
  for (const line of text.split('\n').slice(at + 1)) {
    if (line.trim().startsWith('[')) return undefined;
    const m = /^\s*name\s*=\s*["']([^"']+)["']/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** The last part of go.mod's module path (`github.com/acme/shop-api` → `shop-api`). */
function goModuleName(text: string | undefined): string | undefined {
  const path = text ? /^module\s+(\S+)/m.exec(text)?.[1] : undefined;
  return path
    ?.split('/')
    .filter((p) => !/^v\d+$/.test(p))
    .at(-1);
}

/**
 * The app's name as the project's own manifest gives it — package.json `name`, Cargo.toml
 * `[package] name`, pyproject.toml `[project]` or `[tool.poetry]` name, go.mod's module — made a
 * valid app name; undefined when none says one (the folder's name is used then).
 */
export function manifestName(tree: RepoTree): string | undefined {
  const found = [
    jsonName(tree.read('package.json')),
    tomlName(tree.read('Cargo.toml'), 'package'),
    tomlName(tree.read('pyproject.toml'), 'project'),
    tomlName(tree.read('pyproject.toml'), 'tool.poetry'),
    goModuleName(tree.read('go.mod')),
  ];
  for (const raw of found) {
    const name = raw === undefined ? undefined : asAppName(raw);
    if (name) return name;
  }
  return undefined;
}
