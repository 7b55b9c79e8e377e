import type { Command, Evidence } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor, mergeDatabases } from './databases.js';
import { fileInScript, type NodeContext, safeRelativePath, simpleNodeCommand } from './node-context.js';
import { type FrameworkFields, recogniseFramework } from './node-frameworks.js';
import { nodeTooling } from './node-package-manager.js';
import { sourcePortOf } from './source-port.js';
import { evidence, isRecord, stringRecord, type TreeIndex } from './tree-index.js';
import { versionFromRange, versionIn } from './version.js';

const DEFAULT_NODE = '22';
const ENTRY_FILES = [
  'server.js',
  'index.js',
  'app.js',
  'main.js',
  'server.mjs',
  'index.mjs',
  'src/index.js',
  'src/server.js',
];

export function detectNode(tree: TreeIndex): Candidate | undefined {
  const pkg = tree.json('package.json');
  if (!pkg) return undefined;
  const ctx = context(tree, pkg);
  const framework = recogniseFramework(ctx);
  const entry = entryFile(ctx);
  const start = framework?.start !== undefined ? framework.start : serverStart(ctx, entry);
  const tooling = !framework && start === null && ctx.prodDeps.size === 0;
  if (tooling) {
    return candidate('node', {
      score: 10,
      port: 3000,
      evidence: [
        evidence('package.json', 'only development tooling: no dependencies, start script or entry file'),
      ],
    });
  }
  const port = portFields(ctx, framework, entry);
  return candidate('node', {
    score: score(ctx, framework, start),
    framework: framework?.framework ?? null,
    evidence: evidenceFor(ctx, framework, entry),
    packageManager: ctx.tooling.name,
    runtimeVersion: runtimeVersion(tree, pkg),
    install: ctx.tooling.install,
    build: framework?.build ?? (ctx.scripts.build !== undefined ? [ctx.tooling.run('build')] : []),
    start: framework?.staticDir ? null : start,
    ...port,
    healthPath: framework?.healthPath ?? '/',
    databases: databases(ctx),
    staticDir: framework?.staticDir ?? null,
    notes: [...(framework?.notes ?? []), ...fastifyNote(ctx, framework, entry)],
  });
}

function context(tree: TreeIndex, pkg: Record<string, unknown>): NodeContext {
  const prod = Object.keys(stringRecord(pkg.dependencies));
  const dev = Object.keys(stringRecord(pkg.devDependencies));
  const declared = typeof pkg.packageManager === 'string' ? pkg.packageManager : undefined;
  return {
    tree,
    allDeps: new Set([...prod, ...dev]),
    prodDeps: new Set(prod),
    scripts: stringRecord(pkg.scripts),
    main: typeof pkg.main === 'string' ? pkg.main : undefined,
    tooling: nodeTooling(tree, declared),
  };
}

function entryFile(ctx: NodeContext): string | undefined {
  const candidates = [fileInScript(ctx.scripts.start), safeRelativePath(ctx.main), ...ENTRY_FILES];
  return candidates.find((f): f is string => f !== undefined && ctx.tree.has(f));
}

function serverStart(ctx: NodeContext, entry: string | undefined): Command | null {
  if (ctx.scripts.start !== undefined)
    return simpleNodeCommand(ctx.scripts.start) ?? ctx.tooling.run('start');
  const runner = ctx.tooling.name === 'bun' ? 'bun' : 'node';
  return entry ? [runner, entry] : null;
}

function portFields(ctx: NodeContext, fw: FrameworkFields | undefined, entry: string | undefined) {
  if (fw && fw.framework !== 'express' && fw.framework !== 'fastify') {
    return { port: fw.port, portFromEnv: fw.portFromEnv };
  }
  const hint = sourcePortOf([entry ? ctx.tree.text(entry) : undefined]);
  return { port: hint.literal ?? 3000, portFromEnv: hint.fromEnv };
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
  fw: FrameworkFields | undefined,
  entry: string | undefined,
): Evidence[] {
  const out: Evidence[] = [evidence('package.json', `${ctx.prodDeps.size} dependencies`)];
  if (fw?.framework) out.push(evidence('package.json', `depends on ${fw.framework}`));
  if (ctx.scripts.start !== undefined) out.push(evidence('package.json', 'has a "start" script'));
  if (entry) out.push(evidence(entry, 'entry file'));
  return [...out, ...(fw?.evidence ?? []), ...ctx.tooling.evidence];
}

function runtimeVersion(tree: TreeIndex, pkg: Record<string, unknown>): string | null {
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
