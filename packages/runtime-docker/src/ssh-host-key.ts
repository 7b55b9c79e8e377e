import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `SHA256:` and 43 base64 characters: what `ssh-keygen -lf` and `ssh` print for a key. */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** A fingerprint as ssh prints it (base64 padding dropped), or undefined when `text` is not one. */
export function normalizeFingerprint(text: string): string | undefined {
  const t = text.trim().replace(/=+$/, '');
  return FINGERPRINT.test(t) ? t : undefined;
}

/** The SHA256 fingerprint of a public key blob (the wire format, as known_hosts holds it in base64). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a blob starts with (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`…). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.toString('latin1', 4, 4 + len) : 'unknown';
}

/** The name known_hosts files use for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** One key a known_hosts file lists for a host. */
export interface KnownHostKey {
  type: string;
  fingerprint: string;
  /** `@revoked`: this key must never be accepted. */
  revoked: boolean;
  line: number;
}

/**
 * The keys a known_hosts text lists for `host`:`port` — plain names and patterns (`*`, `?`, `!`
 * negation, `[host]:port`) and hashed `|1|salt|hash` entries. `@cert-authority` lines are skipped:
 * berth does not check host certificates.
 */
export function knownHostKeys(text: string, host: string, port: number): KnownHostKey[] {
  const name = knownHostsName(host, port);
  const found: KnownHostKey[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fields = (lines[i] ?? '').trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    let marker: string | undefined;
    if (fields[0].startsWith('@')) marker = fields.shift();
    const [patterns, type, base64] = fields;
    if (marker === '@cert-authority' || !patterns || !type || !base64) continue;
    if (!hostMatches(patterns, name)) continue;
    const blob = Buffer.from(base64, 'base64');
    if (blob.length === 0) continue;
    found.push({ type, fingerprint: fingerprintOf(blob), revoked: marker === '@revoked', line: i + 1 });
  }
  return found;
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const raw of patterns.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!globMatches(pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>`, as `HashKnownHosts yes` writes them. */
function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (!salt || !hash) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

function globMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

/** `BERTH_SSH_KNOWN_HOSTS`, else the `~/.ssh/known_hosts` of the user running berth. */
export function knownHostsFile(env: { BERTH_SSH_KNOWN_HOSTS?: string | undefined }): string {
  return env.BERTH_SSH_KNOWN_HOSTS || join(homedir(), '.ssh', 'known_hosts');
}

/** The keys `file` lists for the host; none when the file does not exist. */
export async function readKnownHostKeys(file: string, host: string, port: number): Promise<KnownHostKey[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw Object.assign(
      new Error(`ssh: the known_hosts file ${file} cannot be read: ${(err as Error).message}`),
      { code: 'ERR_SSH_HOST_KEY', cause: err },
    );
  }
  return knownHostKeys(text, host, port);
}
