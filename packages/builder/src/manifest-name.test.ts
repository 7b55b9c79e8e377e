import { describe, expect, it } from 'vitest';
import { asAppName, manifestName } from './manifest-name.js';
import { memoryTree } from './repo-tree.js';

describe('manifestName', () => {
  it('takes package.json name, without its scope, as an app name', () => {
    expect(manifestName(memoryTree({ 'package.json': '{"name":"@acme/Shop_API"}' }))).toBe('shop-api');
  });

  it('reads Cargo.toml, pyproject.toml ([project] or [tool.poetry]) and go.mod', () => {
    expect(manifestName(memoryTree({ 'Cargo.toml': '[package]\nname = "ledger"\n' }))).toBe('ledger');
    expect(manifestName(memoryTree({ 'pyproject.toml': '[project]\nname = "report_bot"\n' }))).toBe(
      'report-bot',
    );
    expect(manifestName(memoryTree({ 'pyproject.toml': '[tool.poetry]\nname = "poet"\n' }))).toBe('poet');
    expect(manifestName(memoryTree({ 'go.mod': 'module github.com/acme/queue/v2\n\ngo 1.22\n' }))).toBe(
      'queue',
    );
  });

  it('says nothing when no manifest names the app, or the name cannot be one', () => {
    expect(manifestName(memoryTree({ 'index.html': '<p>hi</p>' }))).toBeUndefined();
    expect(manifestName(memoryTree({ 'package.json': '{"private":true}' }))).toBeUndefined();
    expect(manifestName(memoryTree({ 'package.json': 'not json' }))).toBeUndefined();
    expect(manifestName(memoryTree({ 'Cargo.toml': '[workspace]\nname = "x"\n' }))).toBeUndefined();
    expect(asAppName('123')).toBeUndefined();
  });
});
