import type { Detection, Evidence, Stack } from '../detection.js';
import type { MonorepoLayout } from './find-monorepo.js';
import { evidence, type TreeIndex } from './tree-index.js';

/**
 * An app of a Node monorepo written for another stack (a FastAPI service in `apps/api`, a Go
 * service beside a Next.js app): its own folder's files, detected as that stack, say how it is
 * built and started. It is deployed only when asked for (`--app`); the workspace's tool (turbo,
 * nx) does not build it, its stack's own plan does.
 */

/** Where a stack app's files reach outside its folder (`-e ../../packages/lib`, `replace … => ../lib`). */
export interface OutsideReference {
  file: string;
  ref: string;
}

const SAFE_DIR = /^[\w@-][\w./@-]{0,200}$/;

/** The stacks whose plan can run an app from its folder inside the whole repository, for an app that needs files outside it. */
const ROOT_CONTEXT_STACKS: readonly Stack[] = ['python', 'go'];

/** Manifests that may name a path: requirements files, pyproject, go.mod, Cargo.toml, Gemfile, composer.json, project files. */
const REFERRING =
  /^(?:requirements[\w.-]*\.txt|pyproject\.toml|Pipfile|setup\.py|go\.mod|Cargo\.toml|Gemfile|composer\.json|pom\.xml|build\.gradle(?:\.kts)?|settings\.gradle(?:\.kts)?|[\w.-]+\.(?:cs|fs|vb)proj)$/;

/** `../x` or `..\x` as a value: after a space, quote, `=`, `(`, `,`, `:` or `file:`, or starting a line. */
const UP = /(?:^|[\s"'=(,:>])(\.\.[\\/][^\s"',)<]{0,200})/m;

/** The first path in the app's manifests that leaves its folder, if any. */
export function outsideReference(index: TreeIndex, dir: string): OutsideReference | undefined {
  const prefix = `${dir}/`;
  for (const file of index.files) {
    if (!file.startsWith(prefix) || file.slice(prefix.length).includes('/')) continue;
    if (!REFERRING.test(file.slice(prefix.length))) continue;
    const text = (index.text(file) ?? '').slice(0, 64 * 1024);
    const lines = text.split('\n').filter((l) => !/^\s*(?:#|\/\/)/.test(l));
    const hit = UP.exec(lines.join('\n'))?.[1];
    if (hit) return { file, ref: hit };
  }
  return undefined;
}

/** Whether a package's detection is an app of a stack other than Node that berth can build and start. */
export function isStackApp(d: Detection): boolean {
  return d.stack !== null && d.stack !== 'node' && d.stack !== 'dockerfile' && d.stack !== 'static';
}

/**
 * Why a stack app cannot be deployed from the monorepo, or undefined when it can: it needs a
 * Dockerfile of its own read from a context berth cannot know, has no start, or uses files
 * outside its folder with a stack whose plan builds only from its folder.
 */
export function stackAppProblem(
  dir: string,
  d: Detection,
  outside: OutsideReference | undefined,
): string | undefined {
  // The plan takes only such paths as a build context or a WORKDIR (safeDir).
  if (!SAFE_DIR.test(dir) || dir.includes('..'))
    return `${dir} is not a folder name berth builds from (letters, digits, . _ - @ /)`;
  if (d.dockerfile)
    return `${dir} has a Dockerfile of its own, which berth does not build inside a monorepo (its build context is unknown)`;
  if (d.start === null && d.staticDir === null)
    return `${dir} is a ${d.stack} app with no start command${d.notes[0] ? ` (${d.notes[0]})` : ''}`;
  if (outside && !ROOT_CONTEXT_STACKS.includes(d.stack as Stack))
    return `${dir} uses ${outside.ref} (${outside.file}), outside its folder: berth builds a ${d.stack} app of a monorepo from its own folder only`;
  return undefined;
}

/**
 * The detection of a stack app asked for: its own, paths named from the repository's root, with
 * the build context: its folder, or the root when its manifests use files outside it (the plan
 * then copies the repository and runs the app from its folder).
 */
export function stackAppDetection(
  app: { dir: string; detection: Detection; outside?: OutsideReference | undefined },
  why: string,
  facts: { layout: MonorepoLayout; toolFile: string; summary: string; monorepo: Detection['monorepo'] },
): Detection {
  const d = app.detection;
  const what = [d.stack, d.framework].filter(Boolean).join(' / ');
  const runner =
    facts.layout.runner === 'turborepo' ? 'turbo' : facts.layout.runner === 'nx' ? 'nx' : 'the workspace';
  const context: Evidence = app.outside
    ? evidence(
        app.outside.file,
        `uses ${app.outside.ref}, outside ${app.dir}: the image is built from the repository's root and the app runs from ${app.dir}`,
      )
    : evidence(
        app.dir,
        `a ${what} app, built by its own stack (not by ${runner}) from its folder, the build context: it uses no file outside it`,
      );
  return {
    ...d,
    evidence: [
      evidence(facts.toolFile, facts.summary),
      evidence(app.dir, `deploying ${why}`),
      context,
      ...d.evidence.map((e) => ({ ...e, file: e.file === '.' ? app.dir : `${app.dir}/${e.file}` })),
    ],
    notes: [`deploying ${why}`, ...d.notes],
    monorepo: facts.monorepo && { ...facts.monorepo, context: app.outside ? '.' : app.dir },
  };
}
