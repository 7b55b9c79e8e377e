import type { Command, Evidence } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor, mergeDatabases } from './databases.js';
import { type NodeContext, safeRelativePath, simpleNodeCommand } from './node-context.js';
import { findEntry, isTypeScript, type NodeEntry, typeScriptPlan } from './node-entry.js';
import { type FrameworkFields, recogniseFramework } from './node-frameworks.js';
import { readNodeManifest } from './node-manifest.js';
import { nodeTooling } from './node-package-manager.js';
import { sourcePortOf } from './source-port.js';
import { evidence, isRecord, stringRecord, type TreeIndex } from './tree-index.js';
import { versionFromRange, versionIn } from './version.js';

const DEFAULT_NODE = '22';
const BUN_TYPES = ['@types/bun', 'bun-types'];
/**
 * A start script that runs another stack's program (`uvicorn main:app`, `go run .`): in a
 * monorepo, the package.json of a Python or Go app that only lets turbo or npm run it.
 */
const OTHER_STACK_START =
  /^\s*(?:python3?|uvicorn|gunicorn|hypercorn|flask|fastapi|django-admin|poetry|uv|pipenv|go|cargo|dotnet|bundle|rails|rackup|php|java|mvn|gradle|\.\/gradlew|\.\/mvnw)(?=\s|$)/;

export function detectNode(tree: TreeIndex): Candidate | undefined {
  const manifest = readNodeManifest(tree);
  if (!manifest) return undefined;
  const { pkg } = manifest;
  const ctx = context(tree, pkg);
  const bun = bunSignal(ctx, pkg);
  if (bun && ctx.tooling.name !== 'bun') ctx.tooling = nodeTooling(tree, 'bun@1', true);
  // Only pnpm reads package.json5 and package.yaml: npm and yarn would find no manifest.
  else if (manifest.file !== 'package.json' && ctx.tooling.name !== 'pnpm')
    ctx.tooling = nodeTooling(tree, 'pnpm@9', true);
  const framework = recogniseFramework(ctx);
  const entry = findEntry(ctx);
  // Plain servers (no framework, or Express/Fastify, whose start is the entry) run TypeScript as planned here.
  const plainServer = framework === undefined || framework.start === undefined;
  const ts =
    plainServer && entry && isTypeScript(entry.file) && !runsScript(ctx)
      ? typeScriptPlan(ctx, entry.file, bun !== undefined)
      : undefined;
  const start =
    framework?.start !== undefined
      ? framework.start
      : (ts?.start ?? serverStart(ctx, entry?.file, bun !== undefined));
  const tooling = !framework && ctx.prodDeps.size === 0;
  if (tooling && start === null) {
    return candidate('node', {
      score: 10,
      port: 3000,
      evidence: [
        evidence(manifest.file, 'only development tooling: no dependencies, start script or entry file'),
      ],
    });
  }
  const other = tooling ? OTHER_STACK_START.exec(ctx.scripts.start ?? '')?.[0].trim() : undefined;
  if (other) {
    return candidate('node', {
      score: 10,
      port: 3000,
      evidence: [
        evidence(
          manifest.file,
          `the "start" script runs ${other}, another stack's program: no Node app, only scripts`,
        ),
      ],
    });
  }
  const port = portFields(ctx, framework, entry?.file, bun !== undefined);
  const found = evidenceFor(ctx, manifest.file, framework, entry);
  if (bun) found.push(bun);
  if (ts) found.push(ts.evidence);
  return candidate('node', {
    score: score(ctx, framework, start),
    framework: framework?.framework ?? null,
    evidence: found,
    packageManager: ctx.tooling.name,
    runtimeVersion: runtimeVersion(tree, pkg),
    install: ctx.tooling.install,
    build: plainServer
      ? (ts?.build ?? (ctx.scripts.build !== undefined ? [ctx.tooling.run('build')] : []))
      : framework.build,
    start: framework?.staticDir ? null : start,
    ...port,
    healthPath: framework?.healthPath ?? '/',
    databases: databases(ctx),
    staticDir: framework?.staticDir ?? null,
    notes: [...(framework?.notes ?? []), ...fastifyNote(ctx, framework, entry?.file)],
  });
}

function context(tree: TreeIndex, pkg: Record<string, unknown>): NodeContext {
  const prod = Object.keys(stringRecord(pkg.dependencies));
  const dev = Object.keys(stringRecord(pkg.devDependencies));
  const declared = typeof pkg.packageManager === 'string' ? pkg.packageManager : undefined;
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(stringRecord(pkg.bin))[0];
  return {
    tree,
    allDeps: new Set([...prod, ...dev]),
    prodDeps: new Set(prod),
    scripts: stringRecord(pkg.scripts),
    main: typeof pkg.main === 'string' ? pkg.main : undefined,
    module: typeof pkg.module === 'string' ? pkg.module : undefined,
    bin,
    tooling: nodeTooling(tree, declared),
  };
}

/** Bun runs the app: its lockfile, its types, a TypeScript `module` entry (as `bun init` writes), or a start script calling bun. */
function bunSignal(ctx: NodeContext, pkg: Record<string, unknown>): Evidence | undefined {
  if (ctx.tooling.name === 'bun')
    return evidence(ctx.tooling.evidence[0]?.file ?? 'package.json', 'run by Bun');
  const types = BUN_TYPES.find((d) => ctx.allDeps.has(d));
  if (types) return evidence('package.json', `depends on ${types}: run by Bun`);
  if (/^bun\s/.test(ctx.scripts.start ?? '')) return evidence('package.json', 'the "start" script runs bun');
  if (typeof pkg.module === 'string' && /\.tsx?$/.test(pkg.module) && pkg.main === undefined)
    return evidence(
      'package.json',
      `"module" is TypeScript (${safeRelativePath(pkg.module) ?? '?'}): run by Bun`,
    );
  return undefined;
}

/** A start script other than `node <file>` is the authors' way to run the app: it wins over an entry guess. */
function runsScript(ctx: NodeContext): boolean {
  return ctx.scripts.start !== undefined;
}

function serverStart(ctx: NodeContext, entry: string | undefined, bun: boolean): Command | null {
  if (ctx.scripts.start !== undefined)
    return simpleNodeCommand(ctx.scripts.start) ?? ctx.tooling.run('start');
  return entry ? [bun ? 'bun' : 'node', entry] : null;
}

function portFields(
  ctx: NodeContext,
  fw: FrameworkFields | undefined,
  entry: string | undefined,
  bun: boolean,
): { port: number; portFromEnv: boolean } {
  if (fw && !fw.portFromSource) return { port: fw.port, portFromEnv: fw.portFromEnv };
  const text = entry ? ctx.tree.text(entry) : undefined;
  const hint = sourcePortOf([text]);
  // Bun.serve() without a port listens on $PORT, else 3000.
  const bunDefault = bun && hint.literal === null && /Bun\.serve\(/.test(text ?? '');
  return { port: hint.literal ?? fw?.port ?? 3000, portFromEnv: hint.fromEnv || bunDefault };
}

function score(ctx: NodeContext, fw: FrameworkFields | undefined, start: Command | null): number {
  let s = 40;
  if (ctx.prodDeps.size > 0) s += 15;
  if (ctx.scripts.start !== undefined || start !== null) s += 15;
  if (fw) s += 25;
  if (ctx.tooling.evidence.length > 0) s += 5;
  return Math.min(s, 100);
}

function evidenceFor(
  ctx: NodeContext,
  manifest: string,
  fw: FrameworkFields | undefined,
  entry: NodeEntry | undefined,
): Evidence[] {
  const out: Evidence[] = [evidence(manifest, `${ctx.prodDeps.size} dependencies`)];
  if (fw?.via) {
    const isFile = fw.via.includes('.') && ctx.tree.has(fw.via);
    out.push(
      isFile ? evidence(fw.via, `${fw.framework} configuration`) : evidence(manifest, `depends on ${fw.via}`),
    );
  }
  if (ctx.scripts.start !== undefined) out.push(evidence(manifest, 'has a "start" script'));
  if (entry) out.push(evidence(entry.file, entry.how));
  return [...out, ...(fw?.evidence ?? []), ...ctx.tooling.evidence];
}

/** The Node version a project asks for: .nvmrc, .node-version, else `engines.node`. */
export function runtimeVersion(tree: TreeIndex, pkg: Record<string, unknown>): string | null {
  for (const file of ['.nvmrc', '.node-version']) {
    const v = versionIn(tree.text(file)?.trim().replace(/^v/, ''), 1);
    if (v) return v;
  }
  const engines = isRecord(pkg.engines) ? pkg.engines : {};
  return versionFromRange(typeof engines.node === 'string' ? engines.node : undefined, 1, DEFAULT_NODE);
}

function databases(ctx: NodeContext) {
  const prisma = ctx.tree.text('prisma/schema.prisma') ?? '';
  const provider = /provider\s*=\s*"(postgresql|mysql|mongodb)"/.exec(prisma)?.[1];
  const fromPrisma = provider === 'postgresql' ? 'postgres' : provider;
  return mergeDatabases(
    databasesFor('node', ctx.prodDeps),
    fromPrisma ? [fromPrisma as 'postgres' | 'mysql' | 'mongodb'] : [],
  );
}

function fastifyNote(ctx: NodeContext, fw: FrameworkFields | undefined, entry: string | undefined): string[] {
  if (fw?.framework !== 'fastify' || !entry) return [];
  if (/host\s*:\s*["'](?:0\.0\.0\.0|::)["']/.test(ctx.tree.text(entry) ?? '')) return [];
  return ["Fastify listens on 127.0.0.1 unless given host: '0.0.0.0'; the container would not be reachable"];
}
