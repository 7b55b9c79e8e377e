import { templateSchema } from '@berth/core';
import { z } from 'zod';

/** A template body has the same shape as a template file. */
export const templateBodySchema = templateSchema;
export type TemplateBody = z.input<typeof templateBodySchema>;

export const templateNameParamsSchema = z.object({ name: z.string().min(1) });

export const templateViewSchema = z.object({
  template: templateSchema,
  /** `file:<path>` or `api`. */
  origin: z.string(),
  updatedAt: z.number(),
});
export type TemplateView = z.output<typeof templateViewSchema>;

export const reloadResultSchema = z.object({
  folder: z.string(),
  added: z.array(z.string()),
  updated: z.array(z.string()),
  /** Files read again that changed nothing. */
  unchanged: z.array(z.string()),
  removed: z.array(z.string()),
  kept: z.array(z.string()),
  /** Files skipped, each with the reason: over the size limit (256 KiB), not a regular file, a bad compose file. */
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
});
export type ReloadResult = z.infer<typeof reloadResultSchema>;
