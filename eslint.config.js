import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      'bench/results/**',
      'e2e/test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Use the Clock port: time is an input.',
        },
      ],
    },
  },
  {
    files: [
      '**/*.test.ts',
      'e2e/**',
      'bench/**',
      'scripts/**',
      'packages/sim/**',
      'packages/web/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The console stays readable by concept: a file that outgrows this is split (pages by card,
    // forms by section).
    files: ['packages/web/src/**/*.{ts,tsx}'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
);
