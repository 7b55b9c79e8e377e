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

/** `/templates/:name/versions/:version`. */
export const templateVersionParamsSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
});

/** `?node=`: whose engine an image version is looked for on (default: local). */
export const templateVersionQuerySchema = z.object({ node: z.string().min(1).optional() });

/** A version's presence on one node. */
export const templateVersionNodeSchema = z.object({
  node: z.string(),
  /** On this node (its image on the node's engine; a command version's folder or program on node local). */
  installed: z.boolean().nullable(),
  /**
   * Why `installed` is null ("node X is unreachable: …", a cluster whose images live on its
   * kubelets), or what it means there (a swarm's manager: its workers pull as they deploy).
   */
  note: z.string().nullable(),
});
export type TemplateVersionNodeView = z.infer<typeof templateVersionNodeSchema>;

/** One version a template declares, as `berth versions` shows it. */
export const templateVersionViewSchema = z.object({
  name: z.string(),
  kind: z.enum(['command', 'image']),
  /** The version's program (command templates); null for an image. */
  command: z.string().nullable(),
  /** The version's image reference (image templates); null for a command. */
  image: z.string().nullable(),
  /** Berth has a step to install it: the version's install command, or an image pull. */
  installable: z.boolean(),
  /**
   * Its folder is marked installed (the install step succeeded), its program is on this machine,
   * or its image is on the node asked about (`?node=`, default local); null when berth cannot look
   * there (`nodes` says why).
   */
  installed: z.boolean().nullable(),
  /**
   * Node by node: node local, the node asked about, and each node an instance pinning the version
   * is placed on (image versions); command versions' folders are on node local only.
   */
  nodes: z.array(templateVersionNodeSchema),
  /** Its folder, BERTH_HOME/versions/<template>/<version>/ (versions with an install step). */
  dir: z.string().nullable(),
  /** Names of the instances that pin it. */
  usedBy: z.array(z.string()),
});
export type TemplateVersionView = z.infer<typeof templateVersionViewSchema>;
export const templateVersionListSchema = z.array(templateVersionViewSchema);
