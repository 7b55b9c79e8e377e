import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './parse-dockerfile.js';

describe('parseDockerfile', () => {
  it('reads stages, the final EXPOSE and CMD, across continuation lines and comments', () => {
    const info = parseDockerfile(
      'Dockerfile',
      'FROM node:20 AS build\nEXPOSE 1234\nCMD ["ignored"]\n# a comment\nFROM --platform=linux/amd64 node:20-slim\nEXPOSE 3000/tcp \\\n  9229\nENTRYPOINT ["node"]\nCMD ["server.js"]\n',
    );
    expect(info).toEqual({
      path: 'Dockerfile',
      from: ['node:20', 'node:20-slim'],
      exposedPorts: [3000, 9229],
      cmd: ['server.js'],
      entrypoint: ['node'],
    });
  });

  it('treats a shell-form CMD (or broken JSON) as Docker does: /bin/sh -c', () => {
    expect(parseDockerfile('D', 'FROM x\nCMD npm start').cmd).toEqual(['/bin/sh', '-c', 'npm start']);
    expect(parseDockerfile('D', "FROM x\nCMD ['a']").cmd).toEqual(['/bin/sh', '-c', "['a']"]);
  });

  it('ignores EXPOSE values it cannot know, like ${PORT}', () => {
    expect(parseDockerfile('D', 'FROM x\nEXPOSE ${PORT} 8080 99999').exposedPorts).toEqual([8080]);
  });
});
