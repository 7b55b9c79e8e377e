import { type Candidate, type StackDetector, toDetection } from './detect/candidate.js';
import { commandPort } from './detect/command-port.js';
import { detectDotnet } from './detect/dotnet-detector.js';
import { findMonorepo, type MonorepoLayout } from './detect/find-monorepo.js';
import { foreignManifests } from './detect/foreign-manifests.js';
import { detectGo } from './detect/go-detector.js';
import { detectJava } from './detect/java-detector.js';
import { detectNode } from './detect/node-detector.js';
import { parseDockerfile } from './detect/parse-dockerfile.js';
import { detectPhp } from './detect/php-detector.js';
import { procfileWeb } from './detect/procfile.js';
import { detectPython } from './detect/python-detector.js';
import { detectRuby } from './detect/ruby-detector.js';
import { detectRust } from './detect/rust-detector.js';
import { detectStatic } from './detect/static-detector.js';
import { evidence, TreeIndex } from './detect/tree-index.js';
import {
  chooseApp,
  chosenAppDetection,
  monorepoOf,
  otherStackApps,
  type WorkspacePackage,
  workspacePackage,
} from './detect/workspace-app.js';
import type { Detection, DockerfileInfo, Evidence, Monorepo, Unsupported } from './detection.js';
import { type RepoTree, subtree } from './repo-tree.js';

const DETECTORS: StackDetector[] = [
  detectNode,
  detectPython,
  detectPhp,
  detectGo,
  detectRuby,
  detectJava,
  detectDotnet,
  detectRust,
  detectStatic,
];

/** Below this a candidate is a hint, not an answer. */
const MIN_SCORE = 30;
/** A foreign manifest at the root (mix.exs…) outweighs any candidate weaker than this. */
const FOREIGN_OVERRIDE = 60;

/**
 * What the repository is and how to run it. Pure: reads only through `tree`. When it cannot
 * tell, it says so (`stack: null` with `unsupported` or `monorepo`) instead of guessing.
 */
export interface DetectOptions {
  /** In a monorepo: the app to deploy, by folder (`apps/web`), package name or last folder name. */
  app?: string | undefined;
}

export function detect(tree: RepoTree, options: DetectOptions = {}): Detection {
  return withPortEvidence(detectIn(new TreeIndex(tree), tree, true, options.app));
}

function detectIn(index: TreeIndex, tree: RepoTree, lookForPackages: boolean, app?: string): Detection {
  if (index.files.length === 0) return unsupported({ reason: 'no files', found: [] });
  const ranked = DETECTORS.map((d) => d(index, app))
    .filter((c): c is Candidate => c !== undefined)
    .sort((a, b) => b.score - a.score);
  const foreign = foreignManifests(index);
  const top = ranked[0];
  const best =
    top && top.score >= MIN_SCORE && (foreign.length === 0 || top.score >= FOREIGN_OVERRIDE)
      ? top
      : undefined;
  if (best?.refusal !== undefined)
    return unsupported({ reason: best.refusal, found: [...new Set(best.evidence.map((e) => e.file))] });
  const dockerfilePath = index.first('Dockerfile', 'Containerfile');
  const dockerfile = dockerfilePath
    ? parseDockerfile(dockerfilePath, index.text(dockerfilePath) ?? '')
    : undefined;
  const layout = lookForPackages
    ? findMonorepo(index, best !== undefined || dockerfile !== undefined)
    : undefined;
  const packages = layout ? layout.dirs.map((dir) => packageOf(index, tree, dir)) : [];
  if (layout?.runner && !dockerfile && (app !== undefined || !rootIsApp(layout, best))) {
    const chosen = chooseApp(packages, app);
    if (chosen && 'problem' in chosen)
      return {
        ...unsupported({ reason: chosen.problem, found: [] }),
        monorepo: monorepoOf(layout, packages),
      };
    if (chosen) return chosenAppDetection(index, layout, packages, chosen);
    // A Turborepo or Nx root holds tooling, not an app: with projects and none deployable, say so
    // (a standalone Nx app has no projects and is the root itself).
    if (layout.runner !== 'workspaces' && packages.length > 0)
      return choosePackage(monorepoOf(layout, packages), packages);
  }
  const monorepo = layout && monorepoOf(layout, packages);
  const detection = dockerfile
    ? fromDockerfile(dockerfile, best)
    : best
      ? withProcfile(toDetection(best, confidence(best, ranked)), index)
      : undefined;
  if (detection) return monorepo ? { ...detection, monorepo } : detection;
  if (monorepo && monorepo.packages.length > 0) return choosePackage(monorepo, packages);
  return unsupported(whatWasFound(index, foreign, ranked));
}

function packageOf(index: TreeIndex, tree: RepoTree, dir: string): WorkspacePackage {
  const sub = subtree(tree, dir);
  return workspacePackage(index, dir, detectIn(new TreeIndex(sub), sub, false));
}

/**
 * A workspace root that is itself an app (a framework or a start of its own, beside library
 * packages) is deployed as it is; Turborepo and Nx roots never are (their package.json holds the
 * tooling, or in Nx every app's dependencies).
 */
function rootIsApp(layout: MonorepoLayout, best: Candidate | undefined): boolean {
  return layout.runner === 'workspaces' && best?.stack === 'node' && best.start !== null && best.score >= 70;
}

/** Lowered when a different real stack came close, so the user looks twice. */
function confidence(best: Candidate, ranked: Candidate[]): number {
  const rival = ranked.find((c) => c !== best && c.stack !== 'static' && c.score >= 50);
  return Math.max(0, Math.min(100, best.score - (rival ? Math.round(rival.score / 4) : 0)));
}

/** An existing Dockerfile wins: berth builds it as written, and reads the port and command from it. */
function fromDockerfile(info: DockerfileInfo, best: Candidate | undefined): Detection {
  const start = info.entrypoint || info.cmd ? [...(info.entrypoint ?? []), ...(info.cmd ?? [])] : null;
  const port = info.exposedPorts[0] ?? best?.port ?? 8080;
  const found: Evidence[] = [evidence(info.path, `existing Dockerfile (FROM ${info.from.at(-1) ?? '?'})`)];
  if (info.exposedPorts.length > 0) found.push(evidence(info.path, `EXPOSE ${info.exposedPorts.join(' ')}`));
  const notes = info.exposedPorts.length === 0 ? [`the Dockerfile EXPOSEs no port; assuming ${port}`] : [];
  return {
    ...emptyDetection(),
    ...(best ? toDetection(best, 0) : {}),
    stack: best?.stack ?? 'dockerfile',
    confidence: 95,
    evidence: [...found, ...(best?.evidence ?? [])],
    install: [],
    build: [],
    start,
    port,
    portFromEnv: start?.some((arg) => /\$\{?PORT\b/.test(arg)) ?? false,
    staticDir: null,
    notes,
    dockerfile: info,
  };
}

/** A Procfile's `web:` entry is how the authors said to run the app; it replaces our guess. */
function withProcfile(d: Detection, index: TreeIndex): Detection {
  const web = procfileWeb(index);
  if (web === undefined || d.staticDir !== null) return d;
  const port = commandPort(web);
  return {
    ...d,
    start: ['sh', '-c', web],
    port: port.port ?? d.port,
    portFromEnv: port.fromEnv || (port.port === null && d.portFromEnv),
    evidence: [
      ...d.evidence,
      evidence('Procfile', 'web process'),
      ...(port.reason ? [evidence('Procfile', port.reason)] : []),
    ],
  };
}

/** When berth passes `$PORT` and the command binds to it, the evidence says so. */
function withPortEvidence(d: Detection): Detection {
  if (!d.portFromEnv || d.start === null || d.evidence.some((e) => /\$PORT/.test(e.reason))) return d;
  const named = d.start.find((arg) => d.evidence.some((e) => e.file === arg || e.file.endsWith(`/${arg}`)));
  const file =
    d.evidence.find((e) => named !== undefined && (e.file === named || e.file.endsWith(`/${named}`)))?.file ??
    d.evidence.find((e) => e.reason.startsWith('depends on '))?.file ??
    // In a monorepo, a file of the app deployed rather than the tool's (turbo.json).
    d.evidence.find((e) => d.monorepo?.app !== undefined && e.file.startsWith(`${d.monorepo.app}/`))?.file ??
    d.evidence.find((e) => e.file !== '.')?.file ??
    '.';
  return {
    ...d,
    evidence: [...d.evidence, evidence(file, `listens on $PORT, which berth sets (${d.port})`)],
  };
}

/** No app to deploy: the user chooses, told what the packages that are not apps lack. */
function choosePackage(monorepo: Monorepo, packages: WorkspacePackage[]): Detection {
  return {
    ...emptyDetection(),
    confidence: 0,
    evidence: [evidence('.', `monorepo (${monorepo.tool}) with ${monorepo.packages.length} packages`)],
    notes: [
      'a monorepo with no app at its root: choose one of its packages to deploy',
      ...packages.flatMap((p) => (p.missing ? [p.missing] : [])),
      ...[otherStackApps(packages)].filter((n) => n !== undefined),
    ],
    monorepo,
  };
}

function whatWasFound(
  index: TreeIndex,
  foreign: { file: string; stack: string }[],
  ranked: Candidate[],
): Unsupported {
  if (foreign.length > 0) {
    const names = foreign.map((f) => `${f.stack} (${f.file})`).join(', ');
    return { reason: `unsupported stack: ${names}`, found: foreign.map((f) => f.file) };
  }
  const weak = ranked.flatMap((c) => c.evidence.map((e) => e.file));
  const found = weak.length > 0 ? [...new Set(weak)] : index.rootFiles().slice(0, 20);
  return { reason: 'no supported stack recognised', found };
}

function unsupported(u: Unsupported): Detection {
  return { ...emptyDetection(), evidence: u.found.map((f) => evidence(f, 'found')), unsupported: u };
}

function emptyDetection(): Detection {
  return {
    stack: null,
    framework: null,
    confidence: 0,
    evidence: [],
    packageManager: null,
    runtimeVersion: null,
    install: [],
    build: [],
    start: null,
    port: 8080,
    portFromEnv: false,
    healthPath: '/',
    databases: [],
    staticDir: null,
    notes: [],
  };
}
