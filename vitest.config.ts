import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'tests/unit/**/*.test.ts',
      'tests/integration/**/*.test.ts',
      'tests/db/**/*.test.ts',
      'tests/renderer/**/*.test.ts',
    ],
    // Serve and start tests spawn the CLI, which would rebuild a stale renderer per process.
    globalSetup: ['tests/helpers/buildRenderer.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Inference tests load ONNX sessions in workers; two cores do not fit many files at once.
    maxWorkers: 2,
  },
});
