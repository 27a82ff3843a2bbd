// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // shared/ is the wire contract every side imports: it must not depend on any of them.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/server/**', '**/server', '**/web/**', '**/web', '**/simulator/**', '**/simulator', '**/test/**'], message: 'shared/ imports nothing from server/, web/, simulator/ or test/.' },
            { group: ['node:*', 'fs', 'path', 'http', 'net'], message: 'shared/ runs in the browser too: no Node built-ins.' },
          ],
        },
      ],
    },
  },
  {
    // The server and the simulator get their settings from server/config.ts only.
    files: ['server/**/*.ts', 'simulator/**/*.ts', 'shared/**/*.ts', 'web/**/*.{ts,tsx}'],
    // Entry points read the environment and hand it on.
    ignores: ['server/main.ts', 'simulator/cli.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through server/config.ts and pass it in.' }],
    },
  },
);
