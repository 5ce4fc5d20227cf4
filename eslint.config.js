// Lint rules. The one that matters most: the core and the shared types never import Electron, so the engine runs
// (and is tested) in plain Node and in the headless CLI.
import tseslint from 'typescript-eslint';

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'electron', message: 'electron/core and electron/shared must not depend on Electron.' }],
      patterns: [{ group: ['electron/*'], message: 'electron/core and electron/shared must not depend on Electron.' }],
    },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "CallExpression[callee.name='require'][arguments.0.value='electron']",
      message: 'electron/core and electron/shared must not depend on Electron.',
    },
    {
      selector: "ImportExpression[source.value='electron']",
      message: 'electron/core and electron/shared must not depend on Electron.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  { files: ['electron/core/**', 'electron/shared/**'], rules: noElectron },
);
