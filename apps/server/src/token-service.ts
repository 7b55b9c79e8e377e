import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { type ApiToken, type Clock, NotFound, type TokenRepository, Unauthenticated } from '@berth/core';

export type TokenView = Omit<ApiToken, 'hash'>;

/** How often a token's last-used time is written, at most. */
const TOUCH_EVERY_MS = 60_000;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSecret(): string {
  return `berth_${randomBytes(32).toString('base64url')}`;
}

function view({ hash: _, ...t }: ApiToken): TokenView {
  return t;
}

/**
 * API tokens: only SHA-256 hashes are stored; a secret is shown once, when it is created.
 * Verification compares the presented hash against every live token in constant time.
 */
export class TokenService {
  private live: { token: ApiToken; hash: Buffer }[] | undefined;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repo: TokenRepository,
    private readonly clock: Clock,
  ) {}

  list(): TokenView[] {
    return this.repo.list().map(view);
  }

  /** Creates a token; the answer is the only place its secret ever appears. */
  create(name: string, secret = newSecret()): TokenView & { secret: string } {
    const token: ApiToken = {
      id: randomUUID(),
      name,
      hash: hashSecret(secret),
      role: 'admin',
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
    if (!secret) throw new Unauthenticated('Missing bearer token: send Authorization: Bearer <token>');
    const presented = Buffer.from(hashSecret(secret), 'hex');
    let match: ApiToken | undefined;
    for (const t of this.liveTokens()) {
      if (timingSafeEqual(presented, t.hash) && !match) match = t.token;
    }
    if (!match) throw new Unauthenticated('Invalid or revoked token');
    this.touch(match.id);
    return view(match);
  }

  private liveTokens() {
    this.live ??= this.repo
      .list()
      .filter((t) => t.revokedAt === null)
      .map((token) => ({ token, hash: Buffer.from(token.hash, 'hex') }));
    return this.live;
  }

  private touch(id: string): void {
    const now = this.clock.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.repo.touch(id, now);
  }
}
