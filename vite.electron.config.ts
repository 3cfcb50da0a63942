// Bundles the Electron side into out/electron: main.mjs, backend.mjs (utility process), inferenceWorker.mjs
// (worker threads), as ES modules for Node; and preload.cjs, CommonJS as sandboxed preloads require.
// Native modules stay external: electron-builder rebuilds them for Electron when packaging.
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

const external = [
  'electron',
  'onnxruntime-node',
  'better-sqlite3',
  'sharp',
  'tsx',
  /^tsx\//,
  ...builtinModules,
  /^node:/,
];

export default defineConfig(({ mode }) => {
  const preload = mode === 'preload';
  return {
    build: {
      ssr: true,
      outDir: 'out/electron',
      emptyOutDir: !preload,
      target: 'node22',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        external,
        input: preload
          ? { preload: 'electron/main/preload.ts' }
          : {
              main: 'electron/main/main.ts',
              backend: 'electron/main/backendProcess.ts',
              inferenceWorker: 'electron/inference/worker/main.ts',
            },
        output: preload
          ? { format: 'cjs', entryFileNames: '[name].cjs' }
          : { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
      },
    },
  };
});
