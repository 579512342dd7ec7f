import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A restricted-import pattern: a relative path that climbs up (`../`) and then names one of `parts`. */
function up(parts, message) {
  return { regex: `^(\\.\\./)+(${parts.join('|')})(/|$)`, message };
}
const VSCODE = (who) => ({ name: 'vscode', message: `${who} never imports vscode.` });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**/node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', window: 'readonly', document: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Plugin fixtures are CommonJS modules, as plugin authors write them.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { exports: 'writable', module: 'writable', require: 'readonly' } },
  },
  // Boundaries between the parts (docs/ARCHITECTURE.md). Import strings are matched as written:
  // a relative path that climbs out of its folder and then names a top-level part of src/.
  {
    files: ['src/engine/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [VSCODE('src/engine')], patterns: [up(['extension', 'webviews', 'cli'], 'src/engine runs in a worker or the CLI: it imports neither src/extension, src/webviews nor src/cli.')] }] },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [VSCODE('the CLI')], patterns: [up(['extension', 'webviews'], 'the CLI runs without VS Code: it imports nothing from src/extension or src/webviews.')] }] },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [VSCODE('src/shared')], patterns: [up(['engine', 'extension', 'webviews', 'cli'], 'src/shared is a leaf that every part may import: it imports none of them.')] }] },
  },
  {
    // Host side of the webviews (runs in the extension host): vscode and the engine are fine,
    // the rest of the extension is reached only through the deps registerPanels is given.
    files: ['src/webviews/host/**/*.ts', 'src/webviews/*/panel.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [up(['extension', 'cli'], 'webview host code gets what it needs from the extension through registerPanels(context, deps).')] }] },
  },
  {
    // Browser side: everything else under src/webviews (apps, common/, view models, protocol.ts),
    // all bundled into the webviews. Type-only imports from the engine are allowed: they are
    // erased and bundle nothing, and the engine's plain-JSON types (types.ts, *Types.ts) are
    // the single definition both sides use; a value import would bundle engine code into a page.
    files: ['src/webviews/**/*.ts'],
    ignores: ['src/webviews/host/**', 'src/webviews/*/panel.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'webview code runs in the browser: no vscode (use common/bridge.ts).' }],
        patterns: [
          { ...up(['engine'], 'webview code imports no engine code (type-only imports of its plain-JSON types are fine); ask the host through protocol.ts.'), allowTypeImports: true },
          up(['extension', 'cli'], 'webview code imports neither src/extension nor src/cli; it talks to the host through protocol.ts.'),
          { regex: '(^|/)(host(/|$)|panel$)', message: 'webview code runs in the browser: it imports no host-side module (host/, panel.ts).' },
        ],
      }],
    },
  },
);
