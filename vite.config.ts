// Builds the renderer (Svelte 5 + Konva) into out/renderer: loaded by Electron from disk and served by
// `sam-annotate serve`. Relative asset paths so both work.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  // The Svelte config sits at the repository root, beside this file, not in the renderer root.
  plugins: [svelte({ configFile: '../svelte.config.js' })],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
