import { z } from 'zod';

export const createTokenBodySchema = z
  .object({
    name: z.string().min(1).max(100),
  })
  .strict();
export type CreateTokenBody = z.infer<typeof createTokenBodySchema>;

/** A token as listed: never its secret or hash. */
export const tokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.literal('admin'),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
export type TokenView = z.infer<typeof tokenViewSchema>;

/** The answer to a create: the only time the secret is shown. */
export const createdTokenSchema = tokenViewSchema.extend({ secret: z.string() });
export type CreatedToken = z.infer<typeof createdTokenSchema>;

export const tokenIdParamsSchema = z.object({ id: z.string().min(1) });
