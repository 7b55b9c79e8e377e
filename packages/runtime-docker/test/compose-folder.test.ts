import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readComposeFolder } from '../src/index.js';
import { tempDir } from './docker-fixture.js';

describe('a folder of compose files', () => {
  it('becomes one template per file, with its env file, and reports unusable files', async () => {
    const dir = tempDir('compose-folder');
    writeFileSync(
      join(dir, 'openmemory-compose.yaml'),
      'services:\n  api:\n    image: x\n    ports: ["${MEM0_PORT:-8765}:8765"]\n',
    );
    writeFileSync(join(dir, 'openmemory-compose.env'), 'A=1\n');
    writeFileSync(join(dir, 'broken.yml'), 'version: "3"\n');
    writeFileSync(join(dir, 'notes.txt'), 'not compose');
    const { files, problems } = await readComposeFolder(dir);
    expect(files.map((f) => [f.path, f.template.name, f.template.source])).toEqual([
      [
        join(dir, 'openmemory-compose.yaml'),
        'openmemory',
        {
          kind: 'compose',
          file: 'openmemory-compose.yaml',
          service: 'api',
          envFile: 'openmemory-compose.env',
        },
      ],
    ]);
    expect(files[0]?.template.ports[0]).toMatchObject({
      name: 'mem0-port',
      env: 'MEM0_PORT',
      preferred: 8765,
    });
    expect(problems).toEqual([
      { path: join(dir, 'broken.yml'), message: expect.stringMatching(/no services/) },
    ]);
  });

  it('creates a missing folder', async () => {
    expect(await readComposeFolder(join(tempDir('compose-none'), 'compose'))).toEqual({
      files: [],
      problems: [],
    });
  });
});
