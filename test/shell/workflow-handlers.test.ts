// The drop channels check what the renderer sends (file shape, option values, tokens) before the inbox sees it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workflowHandlers } from '../../electron/shell/workflow-handlers.js';

const inbox = {
  open: async () => [],
  prepare: async () => ({ ok: false as const, code: 'X', message: 'x', problems: [] }),
  submit: async () => ({ ok: false as const, code: 'X', message: 'x', problems: [], promptIds: [] }),
  discard: () => undefined,
};
const { schemas } = workflowHandlers(inbox);
const TOKEN = '0b7a6c1e-7d4b-4f7e-9a53-3c1f0b2a4d10';
const OPTIONS = { randomizeSeeds: false, repeat: 1, front: false };

test('files must be named byte arrays', () => {
  assert.equal(schemas['workflows:open'].safeParse([[{ name: 'a.json', bytes: new Uint8Array([123]) }]]).success, true);
  for (const files of [[], [{ name: 'a.json', bytes: [123] }], [{ name: '', bytes: new Uint8Array() }], [{ name: 'a.json', bytes: new Uint8Array(), path: '/etc/passwd' }], 'a.json']) {
    assert.equal(schemas['workflows:open'].safeParse([files]).success, false, JSON.stringify(files));
  }
});

test('options are exact: repeat 1..1000 as an integer, no extra fields; tokens are UUIDs', () => {
  assert.equal(schemas['workflows:prepare'].safeParse([TOKEN, 'gpu', OPTIONS]).success, true);
  assert.equal(schemas['workflows:submit'].safeParse([TOKEN, 'gpu', { ...OPTIONS, uploadInputs: true }]).success, true);
  for (const options of [{ ...OPTIONS, repeat: 0 }, { ...OPTIONS, repeat: 1001 }, { ...OPTIONS, repeat: 1.5 }, { ...OPTIONS, front: 'yes' }, { ...OPTIONS, extra: 1 }]) {
    assert.equal(schemas['workflows:prepare'].safeParse([TOKEN, 'gpu', options]).success, false, JSON.stringify(options));
  }
  assert.equal(schemas['workflows:submit'].safeParse([TOKEN, 'gpu', OPTIONS]).success, false, 'uploadInputs is required');
  assert.equal(schemas['workflows:discard'].safeParse(['../../etc']).success, false);
});
