// ESLint checks the layout rules (scripts/lint/boundaries.mjs) and little else: the type
// checker already holds the code to strict TypeScript. `npm run lint`; a step of `npm test`.
import tsParser from '@typescript-eslint/parser';
import reactHooks from 'eslint-plugin-react-hooks';
import boundaries from './scripts/lint/boundaries.mjs';

export default [
  { ignores: ['node_modules/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'images/**', 'public/**'] },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { telos: boundaries },
    rules: { 'telos/public-faces': 'error', 'no-empty-pattern': 'error' },
  },
  {
    files: ['src/ide/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  { files: ['src/world/**'], rules: { 'telos/pure-world': 'error' } },
];
