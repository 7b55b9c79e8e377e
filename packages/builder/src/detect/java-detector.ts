import type { Evidence } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor } from './databases.js';
import { evidence, type TreeIndex } from './tree-index.js';
import { versionIn } from './version.js';

const GRADLE_FILES = ['build.gradle.kts', 'build.gradle'];

export function detectJava(tree: TreeIndex): Candidate | undefined {
  const build = buildTool(tree);
  if (!build) return undefined;
  const text = build.text;
  const artifacts = [...text.matchAll(/(?:<artifactId>|:)([\w.-]{1,100})(?:<\/artifactId>|[:"'])/g)].map(
    (m) => m[1]!,
  );
  const spring = /org\.springframework\.boot/.test(text);
  const quarkus = /io\.quarkus/.test(text);
  const fw = spring ? 'spring-boot' : quarkus ? 'quarkus' : null;
  const found: Evidence[] = [evidence(build.file, `${build.tool} build`)];
  if (build.app) found.push(evidence(build.file, `the application of a multi-project build: ${build.app}`));
  if (fw) found.push(evidence(build.file, `uses ${fw}`));
  return candidate('java', {
    score: Math.min(100, 65 + (fw ? 30 : 0)),
    framework: fw,
    evidence: found,
    packageManager: build.tool,
    runtimeVersion: javaVersion(text),
    build: buildSteps(build, fw),
    start: startFor(fw),
    port: 8080,
    portFromEnv: fw !== null,
    healthPath: healthPath(fw, artifacts),
    databases: databasesFor('java', artifacts),
    notes: fw ? [] : ['plain Java: the jar must be runnable (Main-Class) and listen on 8080'],
  });
}

interface BuildTool {
  tool: 'maven' | 'gradle';
  file: string;
  text: string;
  /** The subproject of a multi-project Gradle build that makes the application. */
  app?: string;
}

function buildTool(tree: TreeIndex): BuildTool | undefined {
  const pom = tree.text('pom.xml');
  if (pom !== undefined) return { tool: 'maven', file: 'pom.xml', text: pom };
  const settings = tree.first('settings.gradle.kts', 'settings.gradle');
  if (settings && (tree.has('gradlew') || !GRADLE_FILES.some((f) => tree.has(f))))
    return multiProject(tree, settings);
  const file = GRADLE_FILES.find((f) => tree.has(f));
  return file ? { tool: 'gradle', file, text: tree.text(file) ?? '' } : undefined;
}

/**
 * A multi-project Gradle build (`settings.gradle[.kts]` + `gradlew` at the root) is one build at
 * the root; the application is the subproject that applies Spring Boot, Quarkus or `application`.
 */
function multiProject(tree: TreeIndex, settings: string): BuildTool | undefined {
  const text = tree.text(settings) ?? '';
  const included = [...text.matchAll(/["']:?([\w-]{1,60}(?::[\w-]{1,60}){0,2})["']/g)]
    .map((m) => m[1]!.replace(/:/g, '/'))
    .filter((dir) => GRADLE_FILES.some((f) => tree.has(`${dir}/${f}`)));
  const root = GRADLE_FILES.find((f) => tree.has(f));
  const builds = included.map((dir) => {
    const file = GRADLE_FILES.map((f) => `${dir}/${f}`).find((f) => tree.has(f))!;
    return { dir, file, text: tree.text(file) ?? '' };
  });
  const app =
    builds.find((b) => /org\.springframework\.boot|io\.quarkus/.test(b.text)) ??
    builds.find((b) => /\bapplication\b/.test(b.text));
  if (!app && !root) return undefined;
  const rootText = root ? (tree.text(root) ?? '') : '';
  return {
    tool: 'gradle',
    file: app?.file ?? root ?? settings,
    text: `${rootText}\n${app?.text ?? ''}`,
    ...(app ? { app: app.dir } : {}),
  };
}

function buildSteps(build: BuildTool, fw: string | null) {
  if (build.tool === 'maven') return [['mvn', '-B', '-q', '-DskipTests', 'package']];
  if (!build.app) return [['gradle', '--no-daemon', '-q', '-x', 'test', 'build']];
  // The subproject's jar (or quarkus-app) is put where a single-project build leaves it.
  const out = fw === 'quarkus' ? 'quarkus-app' : 'libs';
  return [
    ['gradle', '--no-daemon', '-q', '-x', 'test', `:${build.app.replace(/\//g, ':')}:build`],
    ['sh', '-c', `mkdir -p build && rm -rf build/${out} && cp -r ${build.app}/build/${out} build/${out}`],
  ];
}

function startFor(fw: string | null) {
  if (fw === 'spring-boot') return ['sh', '-c', 'exec java -Dserver.port="$PORT" -jar /app/app.jar'];
  if (fw === 'quarkus')
    return ['sh', '-c', 'exec java -Dquarkus.http.port="$PORT" -jar /app/quarkus-app/quarkus-run.jar'];
  return ['java', '-jar', '/app/app.jar'];
}

function healthPath(fw: string | null, artifacts: string[]): string {
  if (fw === 'spring-boot' && artifacts.includes('spring-boot-starter-actuator')) return '/actuator/health';
  if (fw === 'quarkus' && artifacts.includes('quarkus-smallrye-health')) return '/q/health';
  return '/';
}

function javaVersion(text: string): string | null {
  const m =
    /<(?:java\.version|maven\.compiler\.release|maven\.compiler\.source)>\s{0,4}(\d{1,2})/.exec(text) ??
    /JavaLanguageVersion\.of\(\s{0,4}(\d{1,2})/.exec(text) ??
    /JavaVersion\.VERSION_(\d{1,2})/.exec(text) ??
    /sourceCompatibility\s{0,4}=\s{0,4}["']?(\d{1,2})/.exec(text);
  return versionIn(m?.[1], 1);
}
