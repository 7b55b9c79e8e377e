import type { Detection } from '../detection.js';
import type { DockerfileWriter } from './dockerfile-writer.js';
import { DEFAULTS, major, versionOr } from './images.js';
import { addUser, writeRuntimeTail } from './runtime-tail.js';

// A Quarkus uber-jar is the *-runner.jar (target/ or build/); Spring Boot's Gradle build also
// emits a "-plain" jar without dependencies, skipped.
const PICK_JAR =
  "jar=$( (find target build -maxdepth 1 -name '*-runner.jar'; find target build/libs -maxdepth 1 -name '*.jar' ! -name '*-plain.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar') 2>/dev/null | head -n 1) && test -n \"$jar\" && cp \"$jar\" /out/app.jar";

export function javaDockerfile(w: DockerfileWriter, d: Detection): void {
  const version = major(versionOr(d.runtimeVersion, DEFAULTS.java));
  const maven = d.packageManager === 'maven';
  // The image holds what the start command runs: Quarkus's fast-jar folder, else one jar. Maven
  // builds into target/, Gradle into build/.
  const quarkus = d.start?.some((arg) => arg.includes('/app/quarkus-app/')) ?? false;
  const out = maven ? 'target' : 'build';
  w.comment('Stage 1: build the jar with the JDK.');
  w.from(maven ? `maven:3.9-eclipse-temurin-${version}` : `gradle:8-jdk${version}`, 'build').workdir('/src');
  w.copy(['.'], './');
  for (const c of d.build) w.run(c);
  w.runScript(
    quarkus ? `mkdir -p /out && cp -r ${out}/quarkus-app /out/quarkus-app` : `mkdir -p /out && ${PICK_JAR}`,
  );
  w.blank().comment('Stage 2: only the JRE and the application.');
  w.from(`eclipse-temurin:${version}-jre`);
  addUser(w, 'debian');
  w.workdir('/app').copy(
    [quarkus ? '/out/quarkus-app' : '/out/app.jar'],
    quarkus ? '/app/quarkus-app' : '/app/app.jar',
    {
      from: 'build',
    },
  );
  writeRuntimeTail(w, { user: 'web', port: d.port, probe: 'bash', healthPath: d.healthPath, cmd: d.start! });
}
