// Lint enforces where code runs (ARCHITECTURE.md, "Layers"):
// - electron/** never imports renderer/**.
// - electron/common/** is pure: no Electron, no Node built-ins, no native addons, no DOM. It runs in the
//   main process, in workers, in the CLI and in the renderer, and is tested in plain Node.
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'url',
  'util',
  'worker_threads',
  'zlib',
];
const nativeAndShell = ['electron', 'onnxruntime-node', 'sharp', 'better-sqlite3'];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'out/**', 'dist/**', '.cache/**', 'native-models/**', 'tests/fixtures/**'],
  },
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**', 'renderer/**'], message: 'electron/ never imports renderer/.' },
          ],
        },
      ],
    },
  },
  // electron/common (top level, then its sub-folders one level deeper) imports only electron/common.
  ...[
    { files: ['electron/common/*.ts'], outside: ['../*', '!../common', '!../common/*'] },
    { files: ['electron/common/*/**/*.ts'], outside: ['../../*'] },
  ].map(({ files, outside }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nativeAndShell, ...nodeBuiltins].map((name) => ({
            name,
            message: 'electron/common is pure: no Electron, Node built-ins or native addons.',
          })),
          patterns: [
            { group: ['node:*'], message: 'electron/common is pure: no Node built-ins.' },
            { group: ['**/renderer/**'], message: 'electron/ never imports renderer/.' },
            { group: outside, message: 'electron/common imports only electron/common.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'process', 'Buffer'],
    },
  })),
  {
    // The renderer runs in a sandboxed page: from electron/ it may use pure modules (electron/common) and the
    // contract's types, nothing else; no Node built-ins.
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nativeAndShell, ...nodeBuiltins].map((name) => ({
            name,
            message: 'the renderer is a web page.',
          })),
          patterns: [
            { group: ['node:*'], message: 'the renderer is a web page: no Node built-ins.' },
            {
              group: ['**/electron/**/*.ts', '!**/electron/common/**/*.ts', '!**/electron/ipc/contract.ts'],
              message:
                'the renderer imports electron/common and the contract (types only), nothing else from electron/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      // Values from the contract would pull main-process constants into the page: types only.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/electron/ipc/contract.ts'],
              allowTypeImports: true,
              message: 'types only from the contract.',
            },
          ],
        },
      ],
    },
  },
);
