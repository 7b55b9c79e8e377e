import { isBareVersion } from '../detect/version.js';

/** Versions a Detection carries may have been edited by a person, so they are checked again here. */
export function versionOr(version: string | null, fallback: string): string {
  return version !== null && isBareVersion(version) ? version : fallback;
}

/** Major only (`20.11` → `20`), for images tagged by major version. */
export function major(version: string): string {
  return version.split('.')[0]!;
}

export const DEFAULTS = {
  node: '22',
  python: '3.12',
  php: '8.3',
  go: '1.23',
  ruby: '3.3',
  java: '21',
  dotnet: '8.0',
  rust: '1',
} as const;

export const STATIC_SERVER_IMAGE = 'busybox:1.36';
export const COMPOSER_IMAGE = 'composer:2';
export const ALPINE_IMAGE = 'alpine:3.20';
export const DEBIAN_IMAGE = 'debian:bookworm-slim';
