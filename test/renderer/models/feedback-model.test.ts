// Actions that answer {ok:false} are failures like rejected ones: shown with the main process's message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeedbackModel } from '../../../renderer/models/feedback-model.js';

test('runAction: ok is done, ok:false and a rejection are errors with their message', async () => {
  const feedback = new FeedbackModel(60_000);
  await feedback.runAction('Re-running A…', async () => ({ ok: true as const, promptId: 'p1' }), (result) => `queued as ${result.promptId}`);
  await feedback.runAction('Opening B…', async () => ({ ok: false as const, code: 'OUTPUT_MISSING', message: 'The file was moved' }), () => 'never');
  await feedback.runAction('Clearing C…', () => Promise.reject(new Error('IPC closed')), () => 'never');
  assert.deepEqual(
    feedback.messages.value.map((m) => [m.kind, m.text]),
    [
      ['ok', 'queued as p1'],
      ['error', 'Opening B failed: The file was moved'],
      ['error', 'Clearing C failed: IPC closed'],
    ],
  );
});
