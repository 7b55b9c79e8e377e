import { z } from 'zod';

/**
 * What a token may do: `read` (every GET, logs, events, stats), `operate` (+ start, stop, restart,
 * kill), `admin` (everything: templates — which run any command — instances, tokens, nodes,
 * integrations, builds).
 */
export const tokenRoleSchema = z.enum(['metrics', 'read', 'operate', 'admin']);
export type TokenRoleName = z.infer<typeof tokenRoleSchema>;

export const createTokenBodySchema = z
  .object({
    name: z.string().min(1).max(100),
    /** Least privilege when left out. */
    role: tokenRoleSchema.default('read'),
  })
  .strict();
export type CreateTokenBody = z.input<typeof createTokenBodySchema>;

/** A token as listed: never its secret or hash. */
export const tokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: tokenRoleSchema,
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
export type TokenView = z.infer<typeof tokenViewSchema>;

/** The answer to a create: the only time the secret is shown. */
export const createdTokenSchema = tokenViewSchema.extend({ secret: z.string() });
export type CreatedToken = z.infer<typeof createdTokenSchema>;

export const tokenIdParamsSchema = z.object({ id: z.string().min(1) });

/** `POST /session`: the web UI signs in with a token; the server keeps it in an HttpOnly cookie. */
export const createSessionBodySchema = z.object({ token: z.string().min(1).max(512) }).strict();
export type CreateSessionBody = z.infer<typeof createSessionBodySchema>;

/** Who the caller is: the token behind its bearer header or session cookie. */
export const sessionViewSchema = z.object({ id: z.string(), name: z.string(), role: tokenRoleSchema });
export type SessionView = z.infer<typeof sessionViewSchema>;
