// End-to-end tests: the built renderer in Debian's Chromium (playwright-core) against `sam-annotate serve`.
// Run with `npm run test:e2e`; screenshots land in test-results/e2e/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.spec.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
