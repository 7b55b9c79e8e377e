import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ApiToken,
  type Clock,
  NotFound,
  StorageUnavailable,
  type TokenRepository,
  type TokenRole,
  Unauthenticated,
} from '@berth/core';

export type TokenView = Omit<ApiToken, 'hash'>;

/** How often a token's last-used time is written, at most. */
const TOUCH_EVERY_MS = 60_000;
/** Stored hashes of this scheme are HMAC-SHA-256 under the server's token key; older ones are bare SHA-256. */
const HMAC_PREFIX = 'hmac-sha256:';
const KEY_FILE = 'token.key';

export function newSecret(): string {
  return `berth_${randomBytes(32).toString('base64url')}`;
}

/**
 * `<home>/token.key` (0600): the key token hashes are keyed with, so a copy of the database alone
 * cannot be used to test guesses. Created on first use; never rotated (that would revoke every token).
 */
export function loadTokenKey(home: string): Buffer {
  const file = join(home, KEY_FILE);
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length < 32) throw new Error(`${file} does not hold a 32-byte key; remove it to make a new one`);
  return key;
}

function view({ hash: _, ...t }: ApiToken): TokenView {
  return t;
}

/**
 * API tokens: only keyed hashes are stored (HMAC-SHA-256 under `<home>/token.key`); a secret is
 * shown once, when it is created. Verification compares the presented hash against every live
 * token in constant time. A token stored by an older berth as bare SHA-256 still works and is
 * re-hashed the first time it is used.
 */
export class TokenService {
  private live: { token: ApiToken; hash: Buffer; legacy: boolean }[] | undefined;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repo: TokenRepository,
    private readonly clock: Clock,
    private readonly key: Buffer,
  ) {}

  list(): TokenView[] {
    return this.repo.list().map(view);
  }

  /** Creates a token; the answer is the only place its secret ever appears. */
  create(name: string, role: TokenRole, secret = newSecret()): TokenView & { secret: string } {
    const token: ApiToken = {
      id: randomUUID(),
      name,
      hash: this.hash(secret),
      role,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    this.repo.insert(token);
    this.live = undefined;
    return { ...view(token), secret };
  }

  revoke(id: string): void {
    if (!this.repo.find(id)) throw new NotFound('token', id);
    this.repo.revoke(id, this.clock.now());
    this.live = undefined;
  }

  isEmpty(): boolean {
    return this.repo.list().length === 0;
  }

  /** The token a secret belongs to; Unauthenticated when none (or a revoked one) matches. */
  verify(secret: string | undefined): TokenView {
    if (!secret)
      throw new Unauthenticated(
        'Not signed in: sign in with an API token, or send Authorization: Bearer <token>',
      );
    const match = this.match(secret);
    if (!match) throw new Unauthenticated('Invalid or revoked token');
    if (match.legacy) {
      this.repo.rehash(match.token.id, this.hash(secret));
      this.live = undefined;
    }
    this.touch(match.token.id);
    return view(match.token);
  }

  /** Whether a secret is a live token, without recording a use (the proxy strips such headers). */
  isToken(secret: string): boolean {
    return this.match(secret) !== undefined;
  }

  /** The live token a secret is, compared in constant time against every one. */
  private match(secret: string): { token: ApiToken; legacy: boolean } | undefined {
    const keyed = createHmac('sha256', this.key).update(secret).digest();
    const bare = createHash('sha256').update(secret).digest();
    let match: { token: ApiToken; legacy: boolean } | undefined;
    for (const t of this.liveTokens()) {
      const presented = t.legacy ? bare : keyed;
      if (presented.length === t.hash.length && timingSafeEqual(presented, t.hash) && !match) match = t;
    }
    return match;
  }

  private hash(secret: string): string {
    return `${HMAC_PREFIX}${createHmac('sha256', this.key).update(secret).digest('hex')}`;
  }

  private liveTokens() {
    this.live ??= this.repo
      .list()
      .filter((t) => t.revokedAt === null)
      .map((token) => {
        const legacy = !token.hash.startsWith(HMAC_PREFIX);
        const hex = legacy ? token.hash : token.hash.slice(HMAC_PREFIX.length);
        return { token, hash: Buffer.from(hex, 'hex'), legacy };
      });
    return this.live;
  }

  private touch(id: string): void {
    const now = this.clock.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    // Last-used time is a courtesy: a full disk must not turn every authenticated read into a 507.
    try {
      this.repo.touch(id, now);
    } catch (err) {
      if (!(err instanceof StorageUnavailable)) throw err;
      this.touched.delete(id);
    }
  }
}
