// `npm run lint`: typescript-eslint's type-checked recommended rules on every TypeScript file, with
// each tsconfig of a target (tsconfig*.json). Tests read JSON-RPC results and parsed files as
// untyped values on purpose, so the no-unsafe-* rules stay off there; node:test's describe/it
// return promises the runner awaits itself.
// Every rule turned off or bent here says why.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/e2e/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.webview.json', './tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An async function that does not await still turns what it throws into a rejected promise:
      // the store's methods and the command handlers rely on that, so every method is uniform.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed names are deliberately unused (rest destructuring that drops a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'], package: 'node:test' },
            // node:test's `it`, or its `skip`, as the store under test says (test/server/serverProcess.ts).
            { from: 'file', name: 'itOnFiles', path: 'test/server/serverProcess.ts' },
          ],
        },
      ],
    },
  },
);
