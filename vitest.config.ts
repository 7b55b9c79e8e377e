import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'apps/*/{src,test}/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // expect.poll's own default is 1 s: on a busy machine a page or a list can take longer to show
    // what it will show; a poll still fails when the thing never comes
    expect: { poll: { timeout: 15_000 } },
  },
});
