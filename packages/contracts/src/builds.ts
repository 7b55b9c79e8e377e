import { z } from 'zod';
import { DB_KINDS, STACKS } from './build-views.js';

/** The shapes of the builds API; what they mean (a usable URL, a valid name) is checked by BuildService. */
const appField = z
  .string()
  .min(1)
  .max(200)
  .describe('in a monorepo: the app to deploy, by folder, package name or last folder name');

export const detectBuildBodySchema = z
  .object({
    source: z.string().min(1).max(2000).describe('a git URL, or an absolute path on the server'),
    app: appField.optional(),
  })
  .strict();

export const detectionOverridesBodySchema = z
  .object({
    stack: z.enum(STACKS).optional(),
    framework: z.string().max(60).nullable().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    start: z.array(z.string().max(2000)).min(1).max(100).optional(),
    healthPath: z.string().max(100).optional(),
    app: appField.optional(),
  })
  .strict();

/** `POST /builds`. */
export const createBuildBodySchema = z
  .object({
    source: z.string().min(1).max(2000),
    name: z.string().max(63).optional(),
    databases: z.array(z.enum(DB_KINDS)).max(4).optional(),
    overrides: detectionOverridesBodySchema.optional(),
  })
  .strict();
export type CreateBuildBody = z.input<typeof createBuildBodySchema>;

export const buildIdParamsSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'is not a build id'),
});

export const buildQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).optional().describe('only log lines after this seq'),
    follow: z
      .union([z.boolean(), z.enum(['1', '0', 'true', 'false'])])
      .transform((v) => v === true || v === '1' || v === 'true')
      .optional()
      .describe('stream the lines as Server-Sent Events until the build ends'),
  })
  .strict();
