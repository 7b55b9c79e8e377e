import type { Evidence } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { chooseAmong } from './choose-app.js';
import { databasesFor } from './databases.js';
import { evidence, type TreeIndex } from './tree-index.js';
import { versionIn } from './version.js';

const GRADLE_FILES = ['build.gradle.kts', 'build.gradle'];

export function detectJava(tree: TreeIndex, app?: string): Candidate | undefined {
  const build = buildTool(tree, app);
  if (!build) return undefined;
  if ('refusal' in build)
    return candidate('java', {
      score: 90,
      port: 8080,
      refusal: build.refusal,
      evidence: [evidence(build.file, 'a multi-project build')],
    });
  const text = build.text;
  const artifacts = [...text.matchAll(/(?:<artifactId>|:)([\w.-]{1,100})(?:<\/artifactId>|[:"'])/g)].map(
    (m) => m[1]!,
  );
  const spring = /org\.springframework\.boot/.test(text);
  const quarkus = /io\.quarkus/.test(text);
  const fw = spring ? 'spring-boot' : quarkus ? 'quarkus' : null;
  const uberJar = fw === 'quarkus' && quarkusUberJar(tree, build);
  const found: Evidence[] = [evidence(build.file, `${build.tool} build`)];
  if (build.app) found.push(evidence(build.file, `the application of a multi-project build: ${build.app}`));
  if (fw) found.push(evidence(build.file, `uses ${fw}`));
  if (fw === 'quarkus')
    found.push(
      evidence(
        build.file,
        uberJar
          ? 'Quarkus packages an uber-jar (quarkus.package type uber-jar): run the *-runner.jar'
          : 'Quarkus packages its fast-jar: run quarkus-app/quarkus-run.jar',
      ),
    );
  return candidate('java', {
    score: Math.min(100, 65 + (fw ? 30 : 0)),
    framework: fw,
    evidence: found,
    packageManager: build.tool,
    runtimeVersion: javaVersion(text),
    build: buildSteps(build),
    start: startFor(fw, uberJar),
    port: 8080,
    portFromEnv: fw !== null,
    healthPath: healthPath(fw, artifacts),
    databases: databasesFor('java', artifacts),
    notes: [
      ...(build.note ? [build.note] : []),
      ...(fw ? [] : ['plain Java: the jar must be runnable (Main-Class) and listen on 8080']),
    ],
  });
}

interface BuildTool {
  tool: 'maven' | 'gradle';
  file: string;
  text: string;
  /** The subproject (Gradle) or module (Maven) of a multi-project build that makes the application. */
  app?: string;
  /** Which application was chosen, when there was a choice or a request. */
  note?: string | null;
}

type Refused = { refusal: string; file: string };

function buildTool(tree: TreeIndex, wanted: string | undefined): BuildTool | Refused | undefined {
  const pom = tree.text('pom.xml');
  if (pom !== undefined)
    return mavenModules(tree, pom, wanted) ?? { tool: 'maven', file: 'pom.xml', text: pom };
  const settings = tree.first('settings.gradle.kts', 'settings.gradle');
  if (settings && (tree.has('gradlew') || !GRADLE_FILES.some((f) => tree.has(f))))
    return multiProject(tree, settings, wanted);
  const file = GRADLE_FILES.find((f) => tree.has(f));
  return file ? { tool: 'gradle', file, text: tree.text(file) ?? '' } : undefined;
}

interface SubBuild {
  dir: string;
  file: string;
  text: string;
}

/** What --app may call a subproject: its folder, its last folder's name, its Gradle path. */
function subNames(b: SubBuild): string[] {
  return [b.dir, b.dir.split('/').pop()!, `:${b.dir.replace(/\//g, ':')}`];
}

/**
 * A multi-project Gradle build (`settings.gradle[.kts]` + `gradlew` at the root) is one build at
 * the root; the application is the subproject that applies Spring Boot, Quarkus or `application`
 * (the one asked for, else the first).
 */
function multiProject(
  tree: TreeIndex,
  settings: string,
  wanted: string | undefined,
): BuildTool | Refused | undefined {
  const text = tree.text(settings) ?? '';
  const included = [...text.matchAll(/["']:?([\w-]{1,60}(?::[\w-]{1,60}){0,2})["']/g)]
    .map((m) => m[1]!.replace(/:/g, '/'))
    .filter((dir) => GRADLE_FILES.some((f) => tree.has(`${dir}/${f}`)));
  const root = GRADLE_FILES.find((f) => tree.has(f));
  const builds = [...new Set(included)].map((dir): SubBuild => {
    const file = GRADLE_FILES.map((f) => `${dir}/${f}`).find((f) => tree.has(f))!;
    return { dir, file, text: tree.text(file) ?? '' };
  });
  const apps = [
    ...builds.filter((b) => /org\.springframework\.boot|io\.quarkus/.test(b.text)),
    ...builds.filter(
      (b) => !/org\.springframework\.boot|io\.quarkus/.test(b.text) && /\bapplication\b/.test(b.text),
    ),
  ];
  const choice = chooseAmong(apps, subNames, wanted, 'application subproject');
  if (choice && 'refusal' in choice) return { refusal: choice.refusal, file: settings };
  if (!choice && !root) return undefined;
  const rootText = root ? (tree.text(root) ?? '') : '';
  const app = choice?.chosen;
  return {
    tool: 'gradle',
    file: app?.file ?? root ?? settings,
    text: `${rootText}\n${app?.text ?? ''}`,
    ...(app ? { app: app.dir, note: choice.note } : {}),
  };
}

/**
 * A Maven multi-module build (`<modules>` in the root pom.xml): one build at the root; the
 * application is the module that repackages itself (spring-boot-maven-plugin,
 * quarkus-maven-plugin). Undefined when no module does (the root packages itself).
 */
function mavenModules(
  tree: TreeIndex,
  pom: string,
  wanted: string | undefined,
): BuildTool | Refused | undefined {
  const modules = [...pom.matchAll(/<module>\s*([\w.-]{1,60}(?:\/[\w.-]{1,60}){0,2})\s*<\/module>/g)]
    .map((m) => m[1]!)
    .filter(
      (dir) => !dir.split('/').some((part) => part === '..' || part === '.') && tree.has(`${dir}/pom.xml`),
    );
  const apps = [...new Set(modules)]
    .map((dir): SubBuild => ({ dir, file: `${dir}/pom.xml`, text: tree.text(`${dir}/pom.xml`) ?? '' }))
    .filter((b) => /spring-boot-maven-plugin|quarkus-maven-plugin/.test(b.text));
  const choice = chooseAmong(apps, subNames, wanted, 'application module');
  if (!choice) return undefined;
  if ('refusal' in choice) return { refusal: choice.refusal, file: 'pom.xml' };
  const app = choice.chosen;
  return { tool: 'maven', file: app.file, text: `${pom}\n${app.text}`, app: app.dir, note: choice.note };
}

/**
 * Quarkus packages a fast-jar (`quarkus-app/`) unless told to make an uber-jar
 * (`quarkus.package.jar.type`, before 3.9 `quarkus.package.type`) in application.properties, the
 * build's properties or gradle.properties.
 */
function quarkusUberJar(tree: TreeIndex, build: BuildTool): boolean {
  const prefix = build.app ? `${build.app}/` : '';
  const texts = [
    build.text,
    tree.text(`${prefix}src/main/resources/application.properties`),
    tree.text(`${prefix}gradle.properties`),
    tree.text('gradle.properties'),
  ];
  return texts.some((t) =>
    /quarkus\.package\.(?:jar\.)?type\s*(?:[=:]\s*["']?|>\s*)uber-jar/.test((t ?? '').slice(0, 64 * 1024)),
  );
}

/**
 * The build at the root; a subproject's or module's output is then put where a single-project
 * build leaves it (`build/`, `target/`), so the image takes it from one place.
 */
function buildSteps(build: BuildTool) {
  if (build.tool === 'maven') {
    if (!build.app) return [['mvn', '-B', '-q', '-DskipTests', 'package']];
    return [
      ['mvn', '-B', '-q', '-DskipTests', '-pl', build.app, '-am', 'package'],
      ['sh', '-c', `rm -rf target && cp -r ${build.app}/target target`],
    ];
  }
  if (!build.app) return [['gradle', '--no-daemon', '-q', '-x', 'test', 'build']];
  return [
    ['gradle', '--no-daemon', '-q', '-x', 'test', `:${build.app.replace(/\//g, ':')}:build`],
    ['sh', '-c', `rm -rf build && cp -r ${build.app}/build build`],
  ];
}

function startFor(fw: string | null, uberJar: boolean) {
  if (fw === 'spring-boot') return ['sh', '-c', 'exec java -Dserver.port="$PORT" -jar /app/app.jar'];
  if (fw === 'quarkus')
    return [
      'sh',
      '-c',
      `exec java -Dquarkus.http.port="$PORT" -jar ${uberJar ? '/app/app.jar' : '/app/quarkus-app/quarkus-run.jar'}`,
    ];
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
