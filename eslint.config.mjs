// The lint every package follows (run by `npm test`): typescript-eslint's recommended rules, and
// package boundaries — a package imports another only through its public entry, never its
// src/ or dist/, and never by a relative path into another package (import-x's
// no-relative-packages knows the workspace's package.json files).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/*.d.ts', 'test/package-install/host/**', 'packages/admin/assets/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.mjs', '.js'] } } },
    rules: {
      'import-x/no-relative-packages': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@hookwork/*/src', '@hookwork/*/src/**', '@hookwork/*/dist', '@hookwork/*/dist/**'],
              message: "Import a hookwork package through its public entry ('@hookwork/core', '@hookwork/core/testing'), never its src/ or dist/. If something is missing there, export it by name.",
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // hookwork keys its registries by class (a notification's or an event's constructor), and
      // `Function` is the type TypeScript gives `value.constructor`: it is used as a key, never called.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    // Plain JavaScript run by Node: scripts and CI helpers.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
