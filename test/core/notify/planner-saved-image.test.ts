// A success whose image is being saved waits for the save (at most a while), so the notification shows the saved
// image and its buttons. Regression: it was shown one batch window after the job ended whether or not the file was
// on disk yet, so a download slower than the window left it without thumbnail and buttons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awaitsSavedImage } from '../../../electron/core/notify/notification-model.js';
import { settingsSchema } from '../../../electron/core/store/settings-schema.js';
import { image, job, plannerFor } from './fixtures.js';

const WINDOW = 2_500;

test('a success whose image is being saved is told when the image is saved, with it', () => {
  const { planner, shown, clock } = plannerFor();
  const done = job({ workflowName: 'Portrait', outputs: [image] });
  planner.finished(done);
  clock.advance(WINDOW + 5_000);
  assert.equal(shown.length, 0, 'the download is still running');
  planner.saved(done.serverId, done.id);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.title, 'Portrait');
  assert.equal(shown[0]!.thumbnail?.output.filename, image.filename);
  assert.deepEqual(shown[0]!.actions, ['open-image', 'show-in-folder']);
  planner.saved(done.serverId, done.id);
  clock.advance(60_000);
  assert.equal(shown.length, 1, 'told once');
  assert.equal(clock.pending(), 0);
});

test('saved within the batch window: told at the end of the window, as before', () => {
  const { planner, shown, clock } = plannerFor();
  const done = job({ outputs: [image] });
  planner.finished(done);
  clock.advance(500);
  planner.saved(done.serverId, done.id);
  assert.equal(shown.length, 0);
  clock.advance(WINDOW);
  assert.equal(shown.length, 1);
});

test('a save that takes too long: the success is told without waiting any longer', () => {
  const { planner, shown, clock } = plannerFor({}, { saveWaitMs: 15_000 });
  planner.finished(job({ outputs: [image] }));
  clock.advance(WINDOW + 14_999);
  assert.equal(shown.length, 0);
  clock.advance(1);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.kind, 'success');
});

test('a failed save lets the success go at once; the save failure follows on its own', () => {
  const { planner, shown, clock } = plannerFor();
  const done = job({ workflowName: 'Portrait', outputs: [image] });
  planner.finished(done);
  clock.advance(WINDOW);
  planner.saveFailed({ serverId: done.serverId, jobId: done.id, code: 'OUTPUT_DISK_FULL', reason: 'ENOSPC', pending: 1 });
  assert.deepEqual(shown.map((x) => x.kind), ['success']);
  clock.advance(WINDOW);
  assert.deepEqual(shown.map((x) => x.kind), ['success', 'save-failed']);
});

test('nothing to wait for: saving off (everywhere or for the server), no image, or already saved', () => {
  const cases = [
    { settings: { outputs: { enabled: false } }, done: job({ outputs: [image] }) },
    { settings: { servers: [{ id: 'gpu', name: 'gpu-box', url: 'http://gpu:8188', saveOutputs: false }] }, done: job({ outputs: [image] }) },
    { settings: {}, done: job({ outputs: [{ ...image, filename: 'clip.mp4' }] }) },
    { settings: {}, done: job({ outputs: [{ ...image, type: 'temp' }] }) },
    { settings: {}, done: job({ outputs: [image], save: { state: 'done', files: 1 } }) },
  ];
  for (const { settings, done } of cases) {
    const { planner, shown, clock } = plannerFor(settings);
    planner.finished(done);
    clock.advance(WINDOW);
    assert.equal(shown.length, 1, JSON.stringify(settings));
  }
});

test('a pause set while the success waited for its image applies to it', () => {
  const { planner, shown, clock, state } = plannerFor();
  const done = job({ outputs: [image] });
  planner.finished(done);
  clock.advance(WINDOW);
  state.settings = { notifications: { pausedUntil: -1 } };
  planner.saved(done.serverId, done.id);
  assert.equal(shown.length, 0);
});

test('a lone job caught up after wake also waits for its image', () => {
  const { planner, shown, clock } = plannerFor();
  const done = job({ outputs: [image], caughtUp: true });
  planner.digest([done]);
  clock.advance(5_000);
  assert.equal(shown.length, 0);
  planner.saved(done.serverId, done.id);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.thumbnail?.jobId, done.id);
});

test('a summary of several jobs does not wait for any image', () => {
  const { planner, shown, clock } = plannerFor();
  planner.finished(job({ outputs: [image] }));
  planner.finished(job({ outputs: [image] }));
  clock.advance(WINDOW);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.kind, 'batch');
});

test('"Save outputs: Always" on a server saves with saving off globally, so its success waits for the image', () => {
  const { planner, shown, clock } = plannerFor({
    outputs: { enabled: false },
    servers: [{ id: 'gpu', name: 'gpu-box', url: 'http://gpu:8188', saveOutputs: true }],
  });
  const done = job({ workflowName: 'Portrait', outputs: [image] });
  planner.finished(done);
  clock.advance(WINDOW + 5_000);
  assert.equal(shown.length, 0, 'the download is still running');
  planner.saved(done.serverId, done.id);
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.thumbnail?.output.filename, image.filename);
});

test("waiting for the image follows the saver's rule: the server's choice, else the global switch", () => {
  const done = job({ outputs: [image] });
  for (const globally of [true, false]) {
    for (const saveOutputs of [undefined, true, false]) {
      const settings = settingsSchema.parse({
        outputs: { enabled: globally },
        servers: [{ id: 'gpu', name: 'gpu-box', url: 'http://gpu:8188', ...(saveOutputs !== undefined && { saveOutputs }) }],
      });
      assert.equal(awaitsSavedImage(done, settings), saveOutputs ?? globally, `global ${globally}, server ${saveOutputs}`);
    }
  }
});
