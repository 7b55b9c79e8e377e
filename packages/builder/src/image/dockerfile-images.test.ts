import { describe, expect, it } from 'vitest';
import { fromImages, rewriteFromImages } from './dockerfile-images.js';

const DOCKERFILE = [
  'FROM --platform=linux/amd64 golang:1.22 AS build',
  'RUN go build',
  'from alpine:3.20',
  'COPY --from=build /out /app',
  'FROM build',
].join('\n');

describe('FROM images', () => {
  it('lists base images, not references to earlier stages', () => {
    expect(fromImages(DOCKERFILE)).toEqual(['golang:1.22', 'alpine:3.20']);
  });

  it('replaces only the image, keeping flags, stage names and every other line', () => {
    const out = rewriteFromImages(DOCKERFILE, {
      'golang:1.22': 'mirror/go:1',
      'alpine:3.20': 'mirror/alpine',
    });
    expect(out.split('\n')).toEqual([
      'FROM --platform=linux/amd64 mirror/go:1 AS build',
      'RUN go build',
      'from mirror/alpine',
      'COPY --from=build /out /app',
      'FROM build',
    ]);
  });
});
