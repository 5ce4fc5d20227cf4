// The tracker fed what real ComfyUI servers sent: the recorded socket frames of a run, and the recorded answers of
// their HTTP routes, end with the job the recording shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTextFrame } from '../../../electron/core/comfy/messages.js';
import { fromHistoryBody } from '../../../electron/core/comfy/remote-jobs.js';
import { Engine } from '../../../electron/core/engine.js';
import { FakeBackend } from '../../support/fake-backend.js';
import { record, tempDir } from '../../support/events.js';
import { frameText, httpTranscript, notes, RECORDED_VERSIONS, wsTranscripts, type RecordedVersion } from '../../support/recorded.js';

async function replay(t: { after: (fn: () => Promise<void>) => void }, version: RecordedVersion, scenario: string, socket: string) {
  const backend = new FakeBackend();
  const engine = await Engine.create({ dataDir: await tempDir(t), servers: [{ id: 'fake', name: 'fake', url: backend.url }], createBackend: () => backend, tracker: { recheckDelayMs: 5 } });
  t.after(() => engine.stop());
  engine.start();
  const rec = record(engine.events);
  backend.connect(socket);
  await engine.settled();
  // The server's own record of the run, as its /history route answered during the recording.
  const history = httpTranscript(version, scenario).filter((h) => h.path.startsWith('/history/') && h.status === 200);
  for (const line of wsTranscripts(version, scenario).get(socket) ?? []) {
    if (!line.msg) continue;
    const message = decodeTextFrame(frameText(line));
    if (message.type === 'execution_success' || message.type === 'execution_error' || message.type === 'execution_interrupted') {
      for (const h of history) backend.history.push(...fromHistoryBody(h.body).filter((job) => !backend.history.some((b) => b.id === job.id)));
    }
    backend.send(message);
    await engine.settled();
  }
  return { engine, rec };
}

for (const version of RECORDED_VERSIONS) {
  describe(`recorded runs on ComfyUI ${version}`, () => {
    test('01: the submitter’s socket alone tells progress and the end; one job-finished with the saved file', async (t) => {
      const id = notes(version, '01_basic_client_A').prompt_id as string;
      const { rec } = await replay(t, version, '01_basic_client_A', 'A');
      assert.deepEqual(rec.finishedIds(), [id]);
      assert.equal(rec.finished[0]!.status, 'completed');
      assert.deepEqual(rec.finished[0]!.outputs.map((o) => [o.nodeId, o.type]), [['3', 'output']]);
      assert.match(rec.finished[0]!.outputs[0]!.filename, /^peer_basic_\d{5}_\.png$/);
      assert.ok(rec.jobs.some((job) => job.id === id && job.status === 'running'));
    });

    test('04: the failing SaveImage is reported with its exception', async (t) => {
      const id = notes(version, '04_execution_error_client_A').prompt_id as string;
      const { rec } = await replay(t, version, '04_execution_error_client_A', 'A');
      assert.deepEqual(rec.finishedIds(), [id]);
      assert.equal(rec.finished[0]!.status, 'failed');
      assert.equal(rec.finished[0]!.error?.nodeType, 'SaveImage');
      assert.match(rec.finished[0]!.error?.message ?? '', /outside the output folder/);
    });
  });
}
