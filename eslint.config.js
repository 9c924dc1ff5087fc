// The linter catches what the type checker lets through: promises nobody awaits
// (a rejected one crashes the node, or a failure goes unreported), promises
// passed where a callback's result is ignored, and dead code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'tester/shims/**', '.tmp/**', 'coverage/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-unused-expressions': 'off',
      '@typescript-eslint/no-unused-expressions': 'error',
      // Deliberate in this code base: `any` at library seams, empty catch where a failure is expected.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `void x;` on a plain name only silences the unused-variable check: use it or delete it.
      'no-restricted-syntax': ['error', {
        selector: "ExpressionStatement > UnaryExpression[operator='void'] > Identifier.argument",
        message: 'a `void name;` statement hides an unused variable: use the variable or remove it',
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // CommonJS (bin/package.json): the command's entry, see bin/gopkgr.js.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable', __filename: 'readonly', __dirname: 'readonly' } },
  },
);
