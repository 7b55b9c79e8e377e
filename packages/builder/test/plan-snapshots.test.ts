import { describe, expect, it } from 'vitest';
import { detect } from '../src/detect.js';
import { plan } from '../src/plan.js';
import { fixedRandom, fixtureTree } from './fixture-tree.js';

/** One or two per stack; the files land in test/__snapshots__/<fixture>/ for reading and review. */
const REPRESENTATIVE = [
  'node-express',
  'node-nestjs-pnpm',
  'node-next',
  'node-vite-spa',
  'node-bun',
  'python-django',
  'python-fastapi-uv',
  'php-laravel',
  'php-wordpress',
  'go-gin',
  'ruby-rails',
  'java-spring-maven',
  'java-quarkus',
  'dotnet-aspnet',
  'rust-rocket',
  'static-site',
  // Issue 18: one or more per group.
  'node-ts-index-tsc',
  'node-ts-tsx-runner',
  'node-bun-lockb-module',
  'mono-turbo-pnpm',
  'mono-nx-integrated',
  'mono-yarn-workspaces',
  'go-lone-main',
  'go-workspace',
  'java-gradle-multiproject',
  'dotnet-fsharp-web',
  'static-staticfile-root',
  'node-react-router-v7',
  'node-tanstack-start',
  'node-angular',
  'node-angular-ssr',
  'node-vite-ssr-server',
  'python-fasthtml',
  'python-pyramid-ini',
  'php-drupal-composer',
  'ruby-hanami',
  'procfile-rackup-default',
  // Issue 18, round 2: Nx apps through their own targets, the Java application of a multi-project build.
  'mono-nx-serve-build-target',
  'mono-nx-plugin-target-name',
  'java-gradle-quarkus-subproject',
  'java-quarkus-uber-jar',
  'java-maven-multimodule',
  'go-workspace-programs',
];

describe('plan snapshots', () => {
  it.each(REPRESENTATIVE)('%s', async (name) => {
    const p = plan(detect(await fixtureTree(name)), { name: 'demo', random: fixedRandom() });
    await expect(p.dockerfile).toMatchFileSnapshot(`./__snapshots__/${name}/Dockerfile`);
    await expect(p.compose).toMatchFileSnapshot(`./__snapshots__/${name}/compose.yml`);
  });

  it('uses the repository Dockerfile as it is', async () => {
    const p = plan(detect(await fixtureTree('dockerfile-expose')), { name: 'svc', random: fixedRandom() });
    expect(p.dockerfile).toBeNull();
    expect(p.dockerfilePath).toBe('Dockerfile');
    expect(p.compose).toContain('"9000:9000"');
  });
});

describe('plan', () => {
  it('maps every base image, in FROM lines and compose services alike', async () => {
    const d = detect(await fixtureTree('node-express'));
    const p = plan(d, {
      name: 'demo',
      random: fixedRandom(),
      baseImages: { 'node:20-slim': 'registry.local/node:20', 'postgres:16-alpine': 'registry.local/pg:16' },
    });
    expect(p.dockerfile).toContain('FROM registry.local/node:20\n');
    expect(p.dockerfile).not.toContain('node:20-slim');
    expect(p.compose).toContain('image: registry.local/pg:16');
  });

  it('adds the databases asked for, each health-gated, with its URL in the environment', async () => {
    const d = detect(await fixtureTree('go-stdlib'));
    const p = plan(d, { name: 'demo', databases: ['mysql', 'mongodb'], random: fixedRandom() });
    expect(Object.keys(p.env)).toEqual(['PORT', 'MYSQL_URL', 'MONGODB_URL', 'DATABASE_URL']);
    expect(p.env.DATABASE_URL).toBe(p.env.MYSQL_URL);
    expect(p.compose).toMatch(/mysql:\n\s+condition: service_healthy/);
    expect(p.compose).toMatch(/mongodb:\n\s+condition: service_healthy/);
  });

  it('gives each generated password its own random bytes', async () => {
    const d = detect(await fixtureTree('ruby-rails'));
    const p = plan(d, { name: 'demo', random: fixedRandom() });
    const db = /postgres:\/\/app:(\w+)@/.exec(p.env.DATABASE_URL ?? '')?.[1];
    const redis = /redis:\/\/:(\w+)@/.exec(p.env.REDIS_URL ?? '')?.[1];
    expect(db).toMatch(/^[0-9a-f]{36}$/);
    expect(redis).not.toBe(db);
  });

  it('refuses what it cannot build, saying why', async () => {
    const elixir = detect(await fixtureTree('unsupported-elixir'));
    const monorepo = detect(await fixtureTree('mono-libraries-only'));
    const express = detect(await fixtureTree('node-express'));
    expect(() => plan(elixir, { name: 'x' })).toThrow(/Elixir/);
    expect(() => plan(monorepo, { name: 'x' })).toThrow(/choose one of its packages/);
    expect(() => plan(express, { name: 'Bad Name' })).toThrow(/invalid/);
  });

  it('puts in the image what the start command runs: Gradle’s build/quarkus-app, or the uber-jar', async () => {
    const gradle = plan(detect(await fixtureTree('java-gradle-quarkus-subproject')), { name: 'demo' });
    expect(gradle.dockerfile).toContain('cp -r build/quarkus-app /out/quarkus-app');
    expect(gradle.dockerfile).not.toContain('target/quarkus-app');
    const uber = plan(detect(await fixtureTree('java-quarkus-uber-jar')), { name: 'demo' });
    expect(uber.dockerfile).toContain("-name '*-runner.jar'");
    expect(uber.dockerfile).toContain('COPY --from=build ["/out/app.jar","/app/app.jar"]');
    expect(uber.dockerfile).not.toContain('quarkus-app');
  });

  it('writes a .dockerignore that keeps secrets and dependencies out', async () => {
    const p = plan(detect(await fixtureTree('node-express')), { name: 'demo', random: fixedRandom() });
    expect(p.dockerignore.split('\n')).toEqual(expect.arrayContaining(['.git', '.env', 'node_modules']));
  });
});
