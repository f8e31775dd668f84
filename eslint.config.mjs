// ESLint (flat config): typescript-eslint's recommended rules for the TypeScript, ESLint's for the CommonJS scripts.
//
// typescript-eslint parses TypeScript with the `typescript` package's compiler API, and supports
// TypeScript < 6.1; the project compiles with TypeScript 7 (the native compiler), whose npm package
// has no such API. So typescript-eslint gets TypeScript 5 from the `typescript-for-eslint` alias
// (package.json: "typescript-for-eslint": "npm:typescript@~5.9.3"; the `overrides` entry lets it
// be installed beside TypeScript 7): below, its `require('typescript')` is redirected there. The
// rules here need no type information, so the TypeScript version does not change what they report.
import Module from 'node:module';

const resolve = Module._resolveFilename;
const TS_ESLINT = /[\\/]node_modules[\\/](?:@typescript-eslint[\\/][^\\/]+|typescript-eslint|ts-api-utils)[\\/]/;
Module._resolveFilename = function (request, parent, ...rest) {
  if ((request === 'typescript' || request.startsWith('typescript/')) && parent && TS_ESLINT.test(parent.filename ?? '')) {
    request = 'typescript-for-eslint' + request.slice('typescript'.length);
  }
  return resolve.call(this, request, parent, ...rest);
};

// imported after the redirect is in place (static imports would load typescript-eslint first)
const { default: js } = await import('@eslint/js');
const { default: tseslint } = await import('typescript-eslint');
const { default: globals } = await import('globals');

export default tseslint.config(
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  { ignores: ['dist/', 'build/', 'build-*/', 'node_modules/', 'prebuilds/', 'runs/', 'test/golden/', '.dev/', '.venv-torch2/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // unused arguments and caught errors are often part of a signature (Python's API, callbacks); `_`-prefixed ones are meant
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      // the tests call the API with values of the wrong type on purpose (`x as any`)
      '@typescript-eslint/no-explicit-any': 'off',
      // they read package.json and load the CommonJS bench helpers and dist/ as users of require() do
      '@typescript-eslint/no-require-imports': 'off',
      // they match terminal output: runs of spaces and ANSI escapes are written out as printed
      'no-regex-spaces': 'off',
      'no-control-regex': 'off',
      // `cond ? a() : b()` as a statement in helpers
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: {
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
);
