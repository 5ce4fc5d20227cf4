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

// core/comfy is the ComfyUI protocol and its I/O, nothing more: the backends (core/backends) adapt it to the jobs port
// (core/jobs/backend.ts). It never reaches up into either, so each hosted backend plugs in at the one seam.
const pureProtocol = {
  'no-restricted-imports': [
    'error',
    {
      paths: noElectron['no-restricted-imports'][1].paths,
      patterns: [
        ...noElectron['no-restricted-imports'][1].patterns,
        {
          group: ['../jobs/*', '../backends/*', '../outputs/*', '../submit/*', '../notify/*', '../store/*', '../engine.js'],
          message: 'core/comfy is protocol and I/O only: the backends in core/backends adapt it to the jobs port.',
        },
      ],
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
  { files: ['electron/core/comfy/**'], rules: pureProtocol },
);
