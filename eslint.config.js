import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'src/dashboard/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only' },
        { object: 'describe', property: 'only' },
      ],
    },
  },
  // Import boundaries: arrows point down the rooms (docs/architecture.md) and never back up.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'express', message: 'HTTP stays in src/http/.' }] },
      ],
    },
  },
  {
    files: ['src/advisors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'HTTP stays in src/http/.' }],
          patterns: [
            {
              group: ['**/pipeline/*', '**/cards/*', '**/http/*', '**/store/*'],
              message:
                'Advisors read a review and return findings: they never see the pipeline, cards, HTTP or the store.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cds/**/*.ts', 'src/findings/**/*.ts', 'src/clinical/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'HTTP stays in src/http/.' }],
          patterns: [
            {
              group: ['**/advisors/*', '**/pipeline/*', '**/http/*', '**/store/*'],
              message:
                'Service definitions, findings and the clinical view sit below the advisors and the pipeline.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/tests/*', '**/bench/*'],
              message: 'Commands ship in dist/: they import src/ only.',
            },
          ],
        },
      ],
    },
  },
  {
    // supertest bodies and parsed fixtures are `any` by nature; the assertions check their shape.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
);
