import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'worker_threads',
  'http',
  'net',
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/**', 'e2e/**', 'test/**', 'scripts/**', 'bench/**', 'bin/**', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  // Boundary: only the Electron shell and the preload may import electron.
  {
    files: ['**/*.{ts,tsx,js}'],
    ignores: ['main/electron/**', 'main/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only main/electron and main/preload may import electron.' }],
        },
      ],
    },
  },
  // Boundary: the contract is pure — no Node, no DOM, no React.
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'shared/ is the contract: no Electron.' }],
          patterns: [
            { group: nodeBuiltins, message: 'shared/ is the contract: no Node modules.' },
            { group: ['react', 'react-dom', 'react/*'], message: 'shared/ is the contract: no React.' },
            {
              group: ['**/main/**', '**/renderer/**'],
              message: 'shared/ imports nothing from main or renderer.',
            },
          ],
        },
      ],
    },
  },
  // Boundary: the renderer talks to main only through the contract.
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer uses the typed client, not electron.' }],
          patterns: [
            { group: ['**/main/**'], message: 'The renderer never imports main/: use renderer/src/api.' },
            { group: nodeBuiltins, message: 'The renderer runs in a sandbox: no Node modules.' },
          ],
        },
      ],
    },
  },
);
