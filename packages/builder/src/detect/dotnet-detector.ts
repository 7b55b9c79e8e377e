import type { Command } from '../detection.js';
import { type Candidate, candidate } from './candidate.js';
import { databasesFor } from './databases.js';
import { depth, evidence, isRecord, type TreeIndex } from './tree-index.js';
import { versionIn } from './version.js';

const SAFE_PROJECT = /^[\w][\w./-]{0,200}\.(?:cs|fs|vb)proj$/;
/** C#, F# and Visual Basic projects build and publish alike. */
const LANGUAGES: Record<string, { name: string; source: string }> = {
  csproj: { name: 'C#', source: '.cs' },
  fsproj: { name: 'F#', source: '.fs' },
  vbproj: { name: 'Visual Basic', source: '.vb' },
};
const SAFE_ASSEMBLY = /^[\w][\w.-]{0,100}$/;

export function detectDotnet(tree: TreeIndex): Candidate | undefined {
  const project = findProject(tree);
  if (!project) return undefined;
  const text = tree.text(project) ?? '';
  // Sdk.Web, or ASP.NET Core brought in by hand (F# web apps often do: Giraffe, Saturn, Falco).
  const web =
    /Sdk\s*=\s*"Microsoft\.NET\.Sdk\.Web"/.test(text) ||
    /<(?:FrameworkReference|PackageReference)\s+Include="(?:Microsoft\.AspNetCore\.App|Giraffe|Saturn|Falco)"/.test(
      text,
    );
  const language = LANGUAGES[project.slice(project.lastIndexOf('.') + 1)]!;
  const hasCs = tree.files.some((f) => f.endsWith(language.source));
  // A project file at the root, or under a solution, is the app; a lone one deeper is likely a stray tool.
  const rooted = depth(project) === 0 || tree.withSuffix('.sln', 0).length > 0;
  const assembly = assemblyName(project, text);
  const packages = [...text.matchAll(/<PackageReference\s+Include="([\w.-]{1,100})"/g)].map((m) => m[1]!);
  return candidate('dotnet', {
    score: Math.min(100, (rooted ? 60 : 20) + (hasCs ? 15 : 0) + (web ? 20 : 0)),
    framework: web ? 'aspnetcore' : 'console',
    evidence: [
      evidence(project, `${web ? 'ASP.NET Core project (Sdk.Web)' : '.NET project'} in ${language.name}`),
    ],
    packageManager: 'nuget',
    runtimeVersion: runtimeVersion(tree, text),
    install: [['dotnet', 'restore', project]],
    build: [['dotnet', 'publish', project, '-c', 'Release', '--no-restore', '-o', '/out']],
    start: assembly ? startFor(assembly, web) : null,
    port: 8080,
    portFromEnv: web && assembly !== undefined,
    databases: databasesFor('dotnet', packages),
    notes: assembly ? [] : [`cannot tell the assembly name of ${project}`],
  });
}

function findProject(tree: TreeIndex): string | undefined {
  const projects = ['.csproj', '.fsproj', '.vbproj']
    .flatMap((ext) => tree.withSuffix(ext, 2))
    .filter((p) => SAFE_PROJECT.test(p) && !p.includes('..'));
  const notTests = projects.filter((p) => !/test/i.test(p));
  return [...notTests, ...projects].sort((a, b) => depth(a) - depth(b))[0];
}

function assemblyName(project: string, text: string): string | undefined {
  const declared = /<AssemblyName>([^<]{1,100})<\/AssemblyName>/.exec(text)?.[1];
  const name =
    declared ??
    project
      .split('/')
      .pop()!
      .replace(/\.(?:cs|fs|vb)proj$/, '');
  return SAFE_ASSEMBLY.test(name) ? name : undefined;
}

function startFor(assembly: string, web: boolean): Command {
  if (!web) return ['dotnet', `${assembly}.dll`];
  return ['sh', '-c', `exec dotnet ${assembly}.dll --urls "http://0.0.0.0:$PORT"`];
}

function runtimeVersion(tree: TreeIndex, csproj: string): string | null {
  const global = tree.json('global.json');
  const sdk = isRecord(global?.sdk) ? global.sdk.version : undefined;
  if (typeof sdk === 'string') return versionIn(sdk, 2);
  return versionIn(/<TargetFramework>net(\d{1,2}\.\d)<\/TargetFramework>/.exec(csproj)?.[1], 2);
}
