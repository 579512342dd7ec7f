/**
 * The import boundaries in eslint.config.mjs, run through ESLint's API on snippets placed (by
 * file path) in each part: every rule reports its violation, and a clean snippet passes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** The messages of the boundary rule for `code` linted as if it were the file `path`. */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${path} did not parse`);
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

const cases: { where: string; path: string; bad: string; expect: RegExp }[] = [
  { where: 'engine', path: 'src/engine/data/x.ts', bad: "import * as vscode from 'vscode';\nexport const v = vscode;\n", expect: /src\/engine never imports vscode/ },
  { where: 'engine', path: 'src/engine/data/x.ts', bad: "import { checkSettingPath } from '../../extension/config/settingPaths';\nexport const f = checkSettingPath;\n", expect: /imports neither src\/extension/ },
  { where: 'engine', path: 'src/engine/x.ts', bad: "import { registerPanels } from '../webviews/host/registerPanels';\nexport const f = registerPanels;\n", expect: /imports neither src\/extension, src\/webviews/ },
  { where: 'engine', path: 'src/engine/x.ts', bad: "import type { PanelDeps } from '../webviews/host/registerPanels';\nexport type T = PanelDeps;\n", expect: /imports neither/ },
  { where: 'CLI', path: 'src/cli/commands/x.ts', bad: "import { checkDatasetSpec } from '../../extension/config/settingPaths';\nexport const f = checkDatasetSpec;\n", expect: /CLI runs without VS Code/ },
  { where: 'CLI', path: 'src/cli/x.ts', bad: "import { parseGalleryMessage } from '../webviews/protocol';\nexport const f = parseGalleryMessage;\n", expect: /CLI runs without VS Code/ },
  { where: 'CLI', path: 'src/cli/x.ts', bad: "import * as vscode from 'vscode';\nexport const v = vscode;\n", expect: /the CLI never imports vscode/ },
  { where: 'webview app', path: 'src/webviews/comparison/app/main.ts', bad: "import { wilcoxonSignedRank } from '../../../engine/stats/wilcoxon';\nexport const f = wilcoxonSignedRank;\n", expect: /imports no engine code/ },
  { where: 'webview view model', path: 'src/webviews/comparison/viewModel.ts', bad: "import { holm } from '../../engine/stats/holm';\nexport const f = holm;\n", expect: /imports no engine code/ },
  { where: 'webview contract', path: 'src/webviews/protocol.ts', bad: "import { RUN_STATUSES } from '../engine/types';\nexport const s = RUN_STATUSES;\n", expect: /imports no engine code/ },
  { where: 'webview common', path: 'src/webviews/common/x.ts', bad: "import { isRunFolderOf } from '../../extension/runs/runFolders';\nexport const f = isRunFolderOf;\n", expect: /neither src\/extension/ },
  { where: 'webview common', path: 'src/webviews/common/x.ts', bad: "import type { RunsTreeNode } from '../../extension/runs/runsTree';\nexport type T = RunsTreeNode;\n", expect: /neither src\/extension/ },
  { where: 'webview app', path: 'src/webviews/gallery/app/main.ts', bad: "import * as vscode from 'vscode';\nexport const v = vscode;\n", expect: /runs in the browser: no vscode/ },
  { where: 'webview app', path: 'src/webviews/gallery/app/main.ts', bad: "import { openPanel } from '../../host/panelBase';\nexport const f = openPanel;\n", expect: /no host-side module/ },
  { where: 'webview view model', path: 'src/webviews/gallery/viewModel.ts', bad: "import { GalleryPanel } from './panel';\nexport const p = GalleryPanel;\n", expect: /no host-side module/ },
  { where: 'webview host', path: 'src/webviews/host/x.ts', bad: "import { outputLog } from '../../extension/outputLog';\nexport const f = outputLog;\n", expect: /through registerPanels/ },
  { where: 'shared', path: 'src/shared/x.ts', bad: "import { parseCsv } from '../engine/data/tabular/csv';\nexport const f = parseCsv;\n", expect: /src\/shared is a leaf/ },
];

describe('import boundaries (eslint.config.mjs)', () => {
  for (const c of cases) {
    it(`${c.where}: ${c.bad.split('\n')[0]} is an error`, async () => {
      const errors = await boundaryErrors(c.path, c.bad);
      assert.equal(errors.length, 1, `${c.path}: expected one boundary error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0], c.expect);
    });
  }

  it('clean snippets pass: type-only engine imports in webview code, engine and vscode on the host side, shared from anywhere', async () => {
    const clean: [string, string][] = [
      ['src/webviews/protocol.ts', "import type { RunStatus } from '../engine/types';\nimport { isRecord } from '../shared/isRecord';\nexport type S = RunStatus;\nexport const r = isRecord;\n"],
      ['src/webviews/dashboard/app/main.ts', "import { type TrainEvent } from '../../../engine/types';\nimport { parseCsv } from '../../common/csv';\nimport { toPoints } from '../viewModel';\nexport type E = TrainEvent;\nexport const f = [parseCsv, toPoints];\n"],
      ['src/webviews/gallery/panel.ts', "import * as vscode from 'vscode';\nimport { readEvaluation } from '../../engine/runs/evaluationFolder';\nimport { openPanel } from '../host/panelBase';\nexport const f = [vscode, readEvaluation, openPanel];\n"],
      ['src/engine/data/x.ts', "import { isRecord } from '../../shared/isRecord';\nimport { parseCsv } from './tabular/csv';\nexport const f = [isRecord, parseCsv];\n"],
      ['src/cli/commands/x.ts', "import { loadDataset } from '../../engine/data';\nexport const f = loadDataset;\n"],
      ['src/extension/x.ts', "import * as vscode from 'vscode';\nimport { registerPanels } from '../webviews/host/registerPanels';\nimport { loadDataset } from '../engine/data';\nexport const f = [vscode, registerPanels, loadDataset];\n"],
    ];
    for (const [path, code] of clean) assert.deepEqual(await boundaryErrors(path, code), [], path);
  });
});
