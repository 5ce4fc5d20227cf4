// The lint rule that keeps Electron out of the core is itself tested: it must fire in core and shared, and only there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test('importing electron from the core or shared types is a lint error', async () => {
  for (const file of ['electron/core/probe.ts', 'electron/shared/probe.ts']) {
    assert.ok((await problems("import { app } from 'electron';\nexport const x = app;\n", file)).includes('no-restricted-imports'), file);
    assert.ok((await problems("import type { App } from 'electron/main';\nexport type X = App;\n", file)).includes('no-restricted-imports'), file);
    assert.ok((await problems("export const e: unknown = require('electron');\n", file)).includes('no-restricted-syntax'), file);
    assert.ok((await problems("export const e = import('electron');\n", file)).includes('no-restricted-syntax'), file);
  }
});

test('the shell may import electron', async () => {
  assert.deepEqual(await problems("import { app } from 'electron';\nexport const x = app;\n", 'electron/shell/probe.ts'), []);
});
