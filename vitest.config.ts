import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'tests/unit/**/*.test.ts',
      'tests/integration/**/*.test.ts',
      'tests/db/**/*.test.ts',
      'tests/renderer/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Inference tests load ONNX sessions in workers; two cores do not fit many files at once.
    maxWorkers: 2,
  },
});
