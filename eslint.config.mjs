// Type-aware linting for every project, plus Nx module boundaries: an app
// imports only shared libs, a lib never imports an app, and a lib imports only
// libs of a lower layer (its `layer:<n>` tag; docs/architecture.md, "Layers of the kit").
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const scopes = ['users', 'content', 'comms', 'work', 'ai-usage', 'analytics', 'e2e', 'bench'];

// layer:0 (proto, core, config, ops) to layer:5 (testing). Strictly lower: two
// libs of one layer never import each other, so the order stays one-way.
const LAYERS = 6;
const layerConstraints = Array.from({ length: LAYERS }, (_, layer) => ({
  sourceTag: `layer:${layer}`,
  // [] for layer:0: it imports no lib at all.
  onlyDependOnLibsWithTags: Array.from({ length: layer }, (_, lower) => `layer:${lower}`),
}));

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.nx/**',
      '.nexus/**',
      'libs/proto/src/gen/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // libs/testing runs apps/users as a process (an implicit dependency, for
          // `nx affected`), and users' tests import libs/testing: no import cycle.
          ignoredCircularDependencies: [['users', 'testing']],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
            { sourceTag: 'type:proto', onlyDependOnLibsWithTags: ['type:proto'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
            // infra's checks (infra/*.spec.ts) read what a service exports through its libs.
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            ...scopes.map((scope) => ({
              sourceTag: `scope:${scope}`,
              onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
            })),
            ...layerConstraints,
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
  },
  prettier,
);
