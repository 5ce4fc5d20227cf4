// The drop model without a DOM: drag depth, reading only what was dropped (with a size cap), one open call per
// drop, the target server rules, preflight requests (latest answer wins, debounced), repeat validation, submit
// outcomes and cancel.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { signal } from '@preact/signals';
import type { ServerView } from '../../../electron/shared/app-state.js';
import type { DropOptions, DroppedFile, OpenedWorkflow, PrepareResult, WorkflowSubmitResult } from '../../../electron/shared/ipc-contract.js';
import type { ReadableFile } from '../../../renderer/models/drop-files.js';
import { DropModel, connectDrop, repeatProblem, type DropApi } from '../../../renderer/models/drop-model.js';
import { FeedbackModel } from '../../../renderer/models/feedback-model.js';
import { clean, opened } from '../support/drop-answers.js';

const server = (id: string, state: ServerView['state'] = 'connected'): ServerView => ({ id, name: `Server ${id}`, url: `http://${id}/`, state });
const file = (name: string, text: string): ReadableFile => ({ name, size: text.length, arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer });
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(servers: ServerView[] = [server('a')], debounceMs = 0) {
  const calls: { method: string; args: unknown[] }[] = [];
  const answers = {
    open: async (files: readonly DroppedFile[]): Promise<readonly OpenedWorkflow[]> => files.map((f) => opened(f.name.replace(/\..*$/, ''))),
    prepare: async (_token: string, _serverId: string, _options: DropOptions): Promise<PrepareResult> => clean(),
    submit: async (): Promise<WorkflowSubmitResult> => ({ ok: true, promptIds: ['p1'] }),
  };
  const api: DropApi = {
    openWorkflows: (files) => (calls.push({ method: 'open', args: [files] }), answers.open(files)),
    prepareWorkflow: (...args) => (calls.push({ method: 'prepare', args }), answers.prepare(...args)),
    submitWorkflow: (...args) => (calls.push({ method: 'submit', args }), answers.submit()),
    discardWorkflow: async (...args) => void calls.push({ method: 'discard', args }),
  };
  const list = signal<readonly ServerView[]>(servers);
  const feedback = new FeedbackModel(10);
  const drop = new DropModel(api, list, feedback, { debounceMs, okLifetimeMs: 10 });
  const of = (method: string) => calls.filter((c) => c.method === method).map((c) => c.args);
  return { drop, calls, of, answers, servers: list, feedback };
}

test('drag depth: entering children keeps the highlight until the pointer leaves the window', () => {
  const { drop } = setup();
  drop.dragEnter();
  drop.dragEnter();
  drop.dragLeave();
  assert.equal(drop.dragging.value, true, 'left a child, still over the window');
  drop.dragLeave();
  assert.equal(drop.dragging.value, false);
  drop.dragLeave();
  drop.dragEnter();
  assert.equal(drop.dragging.value, true, 'an unbalanced leave does not go below zero');
  drop.dragEnd();
  assert.equal(drop.dragging.value, false);
});

test('a drop reads each file once, refuses files above the cap unread, and opens them all in one call', async () => {
  const { drop, of, answers } = setup();
  const huge: ReadableFile = {
    name: 'film.mkv',
    size: 300 * 1024 * 1024,
    arrayBuffer: async () => assert.fail('a file above the cap must not be read'),
  };
  answers.open = async () => [opened('flow'), { ok: false, name: 'notes.json', code: 'SUBMIT_NOT_A_WORKFLOW', message: 'notes.json is not a workflow' }];
  await drop.openFiles([file('flow.json', '{"1":{}}'), huge, file('notes.json', '{}'), file('input.png', 'png')]);
  const sent = of('open')[0]![0] as DroppedFile[];
  assert.equal(of('open').length, 1);
  assert.deepEqual(
    sent.map((f) => [f.name, new TextDecoder().decode(f.bytes)]),
    [
      ['flow.json', '{"1":{}}'],
      ['notes.json', '{}'],
      ['input.png', 'png'],
    ],
  );
  assert.deepEqual(
    drop.queue.value.map((w) => w.token),
    ['flow'],
  );
  assert.deepEqual(
    drop.failures.value.map((f) => [f.name, f.message]),
    [
      ['film.mkv', 'film.mkv is 300 MiB: files above 256 MiB are not read'],
      ['notes.json', 'notes.json is not a workflow'],
    ],
  );
  drop.dismissFailure(drop.failures.value[0]!.id);
  assert.deepEqual(
    drop.failures.value.map((f) => f.name),
    ['notes.json'],
  );
  assert.equal(drop.opening.value, 0);
});

test('a drop of only refused files never calls the main process; a failed call is reported', async () => {
  const { drop, of, answers } = setup();
  await drop.openFiles([{ name: 'dir', size: 0, arrayBuffer: async () => Promise.reject(new Error('NotReadableError')) }]);
  assert.equal(of('open').length, 0);
  assert.match(drop.failures.value[0]!.message, /dir could not be read.*NotReadableError/);
  answers.open = async () => Promise.reject(new Error('IPC closed'));
  await drop.openFiles([file('x.json', '{}')]);
  assert.match(drop.failures.value[1]!.message, /Could not open x\.json: IPC closed/);
});

test('the only connected server is preselected and the preflight asked for it with the options', async () => {
  const { drop, of } = setup([server('a'), server('b', 'offline')]);
  drop.receive([opened('t1')]);
  assert.equal(drop.target.value?.id, 'a');
  assert.equal(drop.prepared.value.status, 'preparing');
  assert.equal(drop.blockedReason.value, 'Checking the workflow for this server…');
  await settle();
  assert.deepEqual(of('prepare'), [['t1', 'a', { randomizeSeeds: false, repeat: 1, front: false }]]);
  assert.equal(drop.prepared.value.status, 'done');
  assert.equal(drop.blockedReason.value, undefined);
  drop.setOptions({ randomizeSeeds: true, front: true, repeat: '3' });
  await settle();
  assert.deepEqual(of('prepare')[1], ['t1', 'a', { randomizeSeeds: true, repeat: 3, front: true }]);
});

test('with several connected servers the user must choose; the choice is remembered for the next file', async () => {
  const { drop, of, servers } = setup([server('a'), server('b')]);
  drop.receive([opened('t1'), opened('t2')]);
  // Read through a function: assert.equal would narrow `drop.target.value` to undefined for the rest of the test.
  const target = (): string | undefined => drop.target.value?.id;
  assert.equal(target(), undefined);
  assert.equal(drop.blockedReason.value, 'Choose the server to queue it on.');
  await settle();
  assert.equal(of('prepare').length, 0, 'nothing to check before a server is chosen');
  drop.chooseServer('b');
  await settle();
  assert.deepEqual(of('prepare')[0]!.slice(0, 2), ['t1', 'b']);
  await drop.submit();
  assert.equal(drop.current.value?.token, 't2');
  assert.equal(target(), 'b', 'the last choice stays for the session');
  servers.value = [server('a'), server('b', 'reconnecting')];
  assert.equal(target(), 'a', 'the only connected one when the chosen one drops out');
});

test('no server connected: the file waits, and the preflight starts when one connects', async () => {
  const { drop, of, servers } = setup([server('a', 'offline')]);
  drop.receive([opened('t1')]);
  assert.match(drop.blockedReason.value!, /No server is connected.*until one connects/);
  servers.value = [server('a')];
  await settle();
  assert.deepEqual(of('prepare')[0]!.slice(0, 2), ['t1', 'a']);
  assert.equal(drop.blockedReason.value, undefined);
});

test('only the latest preflight answer is shown; a late older answer is dropped', async () => {
  const { drop, answers } = setup();
  const pending: Deferred<PrepareResult>[] = [];
  answers.prepare = () => {
    const d = deferred<PrepareResult>();
    pending.push(d);
    return d.promise;
  };
  drop.receive([opened('t1')]);
  drop.setOptions({ repeat: '2' });
  assert.equal(pending.length, 2);
  pending[1]!.resolve(clean({ prompts: 2 }));
  await settle();
  pending[0]!.resolve(clean({ prompts: 1, blocking: 4 }));
  await settle();
  const state = drop.prepared.value;
  assert.ok(state.status === 'done' && state.result.ok && state.result.prompts === 2 && state.result.blocking === 0);
});

test('typing is debounced: one preflight for the value the typing ended on', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { drop, of } = setup([server('a')], 200);
    drop.receive([opened('t1')]);
    drop.setOptions({ repeat: '1' + '0' });
    drop.setOptions({ repeat: '100' });
    assert.equal(drop.prepared.value.status, 'preparing', 'Submit waits for the check right away');
    mock.timers.tick(199);
    assert.equal(of('prepare').length, 0);
    mock.timers.tick(1);
    assert.deepEqual(of('prepare'), [['t1', 'a', { randomizeSeeds: false, repeat: 100, front: false }]]);
    drop.dispose();
  } finally {
    mock.timers.reset();
  }
});

test('repeat is validated as typed: 1..1000, whole numbers only', async () => {
  for (const bad of ['', '0', '-1', '1.5', 'abc', '12a', '1001', '99999']) assert.equal(repeatProblem(bad), 'Repeat: enter a whole number from 1 to 1000', bad);
  for (const good of ['1', '7', ' 42 ', '1000']) assert.equal(repeatProblem(good), undefined, good);
  const { drop, of } = setup();
  drop.receive([opened('t1')]);
  await settle();
  drop.setOptions({ repeat: '0' });
  await settle();
  assert.equal(drop.blockedReason.value, 'Repeat: enter a whole number from 1 to 1000');
  assert.equal(of('prepare').length, 1, 'no preflight for an invalid value');
});

test('blocking problems keep submit disabled, with the reason', async () => {
  const { drop, answers, of } = setup();
  answers.prepare = async () => clean({ problems: [{ nodeId: '4', nodeType: 'Missing', message: 'unknown node type' }], blocking: 1 });
  drop.receive([opened('t1')]);
  await settle();
  assert.equal(drop.blockedReason.value, '1 problem would make the server refuse it: fix it in ComfyUI first.');
  await drop.submit();
  assert.equal(of('submit').length, 0);
  answers.prepare = async () => ({ ok: false, code: 'WORKFLOW_UNCONVERTIBLE', message: 'a widget value cannot be placed', problems: [] });
  drop.setOptions({ front: true });
  await settle();
  assert.equal(drop.blockedReason.value, 'It cannot be queued: a widget value cannot be placed');
});

test('submit: success says where and how many, then the next file; upload only when offered and agreed', async () => {
  const { drop, answers, of, feedback } = setup();
  answers.prepare = async () => clean({ uploadable: ['cat.png'], prompts: 3 });
  drop.receive([opened('t1'), opened('t2')]);
  drop.setOptions({ repeat: '3' });
  await settle();
  await drop.submit();
  assert.deepEqual(of('submit')[0], ['t1', 'a', { randomizeSeeds: false, repeat: 3, front: false, uploadInputs: true }]);
  assert.deepEqual(
    feedback.messages.value.map((m) => [m.kind, m.text]),
    [['ok', 'Queued t1.json on Server a ×3']],
  );
  assert.equal(drop.current.value?.token, 't2');
  assert.equal(drop.form.value.repeat, '1', 'the next file starts from the defaults');
  await settle();
  drop.uploadInputs.value = false;
  await drop.submit();
  assert.equal((of('submit')[1]![2] as { uploadInputs: boolean }).uploadInputs, false);
  assert.equal(drop.current.value, undefined);
  assert.deepEqual(of('discard'), [], 'a submitted file is not discarded');
});

test('a partial failure is kept in view with what was queued; the file cannot be submitted again', async () => {
  const { drop, answers } = setup();
  answers.submit = async () => ({ ok: false, code: 'COMFY_PROMPT_INVALID', message: 'Prompt outputs failed validation (2 of 5 queued, 3 not)', problems: [{ nodeId: '3', nodeTitle: 'Save', message: 'bad' }], promptIds: ['p1', 'p2'] });
  drop.receive([opened('t1')]);
  drop.setOptions({ repeat: '5' });
  await settle();
  await drop.submit();
  const state = drop.submitState.value;
  assert.ok(state.status === 'failed');
  assert.deepEqual(state.result.promptIds, ['p1', 'p2']);
  assert.equal(drop.current.value?.token, 't1');
  assert.match(drop.blockedReason.value!, /drop it again/);
});

test('a refusal before anything was queued keeps the file: the reason stays in view and Submit can be pressed again', async () => {
  const { drop, answers, of } = setup();
  answers.submit = async () => ({ ok: false, code: 'SUBMIT_REJECTED', message: 'Prompt outputs failed validation (nothing was queued)', problems: [], promptIds: [] });
  drop.receive([opened('t1')]);
  await settle();
  await drop.submit();
  const state = drop.submitState.value;
  assert.ok(state.status === 'failed' && state.retryable);
  assert.equal(drop.blockedReason.value, undefined, 'Submit is enabled again');
  answers.submit = async () => ({ ok: true, promptIds: ['p1'] });
  await drop.submit();
  assert.equal(of('submit').length, 2);
  assert.equal(drop.current.value, undefined, 'queued on the second try');
});

test('cancel discards the file and shows the next; the shell event adds files through connectDrop', async () => {
  const { drop, of } = setup();
  let listener: ((w: readonly OpenedWorkflow[]) => void) | undefined;
  const off = connectDrop(drop, { onWorkflowsOpened: (l) => ((listener = l), () => (listener = undefined)) });
  listener!([opened('t1'), opened('t2'), { ok: false, name: 'x.txt', code: 'WORKFLOW_UNKNOWN_FORMAT', message: 'x.txt: unknown format' }]);
  assert.equal(drop.queue.value.length, 2);
  assert.equal(drop.failures.value.length, 1);
  drop.cancel();
  assert.deepEqual(of('discard'), [['t1']]);
  assert.equal(drop.current.value?.token, 't2');
  off();
  assert.equal(listener, undefined);
});
