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
  if (fw) found.push(evidence(build.file, `uses ${fw}`));
  return candidate('java', {
    score: Math.min(100, 65 + (fw ? 30 : 0)),
    framework: fw,
    evidence: found,
    packageManager: build.tool,
    runtimeVersion: javaVersion(text),
    build: [
      build.tool === 'maven'
        ? ['mvn', '-B', '-q', '-DskipTests', 'package']
        : ['gradle', '--no-daemon', '-q', '-x', 'test', 'build'],
    ],
    start: startFor(fw),
    port: 8080,
    portFromEnv: fw !== null,
    healthPath: healthPath(fw, artifacts),
    databases: databasesFor('java', artifacts),
    notes: fw ? [] : ['plain Java: the jar must be runnable (Main-Class) and listen on 8080'],
  });
}

function buildTool(tree: TreeIndex): { tool: 'maven' | 'gradle'; file: string; text: string } | undefined {
  const pom = tree.text('pom.xml');
  if (pom !== undefined) return { tool: 'maven', file: 'pom.xml', text: pom };
  const file = GRADLE_FILES.find((f) => tree.has(f));
  return file ? { tool: 'gradle', file, text: tree.text(file) ?? '' } : undefined;
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
