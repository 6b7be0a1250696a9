// One lint configuration for every workspace. Production code may not use `any` nor import in a
// circle; tests may use `any` where a fixture is deliberately malformed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs', '**/.turbo/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // A late-bound callback target (`let x; ... () => x?.f(); x = ...`) is not a constant.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // type-graphql's API takes classes and resolvers as `Function` (its NonEmptyArray<Function>).
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    files: ['**/__tests__/**/*.ts', 'test/**/*.ts', 'services/*/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      // Tests strip terminal colours from what processes print.
      'no-control-regex': 'off',
    },
  },
);
