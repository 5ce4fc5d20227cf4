// The hold is a fact about V8, so each case runs in a fresh Node process: survivors are made over many turns of the
// event loop (as tracked jobs are), then the young generation's size is read. The unheld cases show that V8 grows it
// by itself and that a worker's start undoes the hold, so the held cases could not pass by accident.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const MiB = 1024 * 1024;
const moduleUrl = new URL('../../../electron/core/runtime/young-generation.ts', import.meta.url).href;
const readerUrl = new URL('../../../electron/core/workflow/workflow-reader.ts', import.meta.url).href;

type Mode = 'unheld' | 'held' | 'held, then a bare worker' | 'held, then a file read off the main thread';

async function youngGenerationAfterSurvivors(mode: Mode): Promise<number> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    import { holdYoungGeneration } from ${JSON.stringify(moduleUrl)};
    import { WorkflowReader } from ${JSON.stringify(readerUrl)};
    const mode = ${JSON.stringify(mode)};
    if (mode !== 'unheld') holdYoungGeneration();
    let worker;
    if (mode === 'held, then a bare worker') worker = new Worker('setInterval(() => {}, 60_000)', { eval: true });
    if (worker) await new Promise((resolve) => worker.once('online', resolve));
    if (mode === 'held, then a file read off the main thread') {
      const read = await new WorkflowReader().read(new TextEncoder().encode('{"1":{"class_type":"SaveImage","inputs":{}}}'), 'a.json');
      if (read.kind === 'error') throw new Error(read.message);
    }
    const kept = [];
    for (let turn = 0; turn < 40; turn++) {
      for (let i = 0; i < 10_000; i++) kept.push({ id: 'job-' + turn + '-' + i, position: i, nodes: [String(i), String(i + 1)] });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    process.stdout.write(JSON.stringify({ bytes: young.space_size, kept: kept.length }));
    await worker?.terminate();
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const { bytes, kept } = JSON.parse(stdout) as { bytes: number; kept: number };
  assert.equal(kept, 400_000);
  return bytes;
}

describe('holdYoungGeneration', () => {
  it('V8 grows the young generation by itself when many new objects survive (the control)', async () => {
    assert.ok((await youngGenerationAfterSurvivors('unheld')) >= 16 * MiB);
  });

  it('holds it at the size it starts with', async () => {
    assert.ok((await youngGenerationAfterSurvivors('held')) <= 4 * MiB);
  });

  it('a worker that starts undoes the hold for the whole process, unless it is set again (the control)', async () => {
    assert.ok((await youngGenerationAfterSurvivors('held, then a bare worker')) >= 16 * MiB);
  });

  it('keeps holding after a file is read in the extract worker', async () => {
    assert.ok((await youngGenerationAfterSurvivors('held, then a file read off the main thread')) <= 4 * MiB);
  });
});

describe('the entry points', () => {
  // Loading the bundle's modules alone grows the young generation fourfold, and the hold keeps the size it finds.
  for (const entry of ['main.ts', 'headless.ts']) {
    it(`${entry} takes the hold before any other module loads`, async () => {
      const source = await readFile(new URL(`../../../electron/${entry}`, import.meta.url), 'utf8');
      const firstImport = source.split('\n').find((line) => line.startsWith('import '));
      assert.equal(firstImport, "import './core/runtime/hold-young-generation-at-start.js';");
    });
  }
});
