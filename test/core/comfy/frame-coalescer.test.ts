// Progress frames and previews superseded within one read are dropped; nothing else is, and what the tracker ends up
// with is what every frame would have given it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FrameCoalescer, holdable } from '../../../electron/core/comfy/frame-coalescer.js';
import { decodeTextFrame } from '../../../electron/core/comfy/messages.js';
import type { ServerMessage } from '../../../electron/core/comfy/messages.js';
import { connectedEngine } from '../../support/fake-engine.js';

const A = '1b0a37e4-7d9c-4f3e-9c1a-2f6f0e5b8a11';
const B = '5c2e9b1d-0a4f-4c7e-8d3b-6e1f2a9c7b40';

/** As ComfyUI's json.dumps writes them (", " and ": "), or compact (JSON.stringify). */
/**
 * A coalescer handing every delivered frame, decoded, to `handle`; `endOfRead` ends the current read (it delivers what
 * is held) where the connection would at the next turn of the event loop.
 */
function coalescing(handle: (message: ServerMessage) => void): { coalescer: FrameCoalescer; endOfRead: () => void } {
  let flush = (): void => undefined;
  const coalescer = new FrameCoalescer(
    (text) => handle(decodeTextFrame(text)),
    (later) => (flush = later),
    handle,
  );
  return { coalescer, endOfRead: () => flush() };
}

function frame(type: string, data: Record<string, unknown>, python = true): string {
  const text = JSON.stringify({ type, data });
  return python ? text.replace(/,"/g, ', "').replace(/":/g, '": ') : text;
}
const progress = (prompt: string, value: number, python = true) => frame('progress', { value, max: 20, prompt_id: prompt, node: '3' }, python);
const snapshot = (prompt: string, value: number, python = true) =>
  frame('progress_state', { prompt_id: prompt, nodes: { '3': { value, max: 20, state: 'running', node_id: '3', prompt_id: prompt, display_node_id: '3', parent_node_id: null, real_node_id: '3' } } }, python);
/** A decoded preview whose image bytes say which one it is; without a prompt, as a type-1 (legacy) frame gives it. */
const preview = (prompt: string | undefined, n: number): ServerMessage => ({
  type: 'preview',
  mime: 'image/jpeg',
  image: Buffer.from(String(n)),
  ...(prompt !== undefined && { promptId: prompt, nodeId: '3', displayNodeId: '3' }),
});

test('only progress frames in exactly the shape ComfyUI sends them can be held', () => {
  assert.deepEqual(holdable(progress(A, 3)), { kind: 'progress', promptId: A });
  assert.deepEqual(holdable(progress(A, 3, false)), { kind: 'progress', promptId: A });
  assert.deepEqual(holdable(snapshot(A, 3)), { kind: 'progress_state', promptId: A });
  assert.deepEqual(holdable(snapshot(A, 3, false)), { kind: 'progress_state', promptId: A });
  for (const other of [
    frame('executing', { node: '3', display_node: '3', prompt_id: A }),
    frame('status', { status: { exec_info: { queue_remaining: 1 } } }),
    // Another key order, a node name before the prompt id, an id that is not plain, no prompt id at all.
    JSON.stringify({ data: { value: 1, max: 2, prompt_id: A, node: '3' }, type: 'progress' }),
    JSON.stringify({ type: 'progress', data: { node: '"prompt_id": "x", ', value: 1, max: 2, prompt_id: A } }),
    JSON.stringify({ type: 'progress', data: { value: 1, max: 2, prompt_id: 'a\\"b', node: '3' } }),
    JSON.stringify({ type: 'progress', data: { value: 1, max: 2, node: '3' } }),
    JSON.stringify({ type: 'progress_state', data: { nodes: {}, prompt_id: A } }),
  ]) {
    assert.equal(holdable(other), undefined, other);
  }
});

test('within one read, the newest frame of each kind per prompt is delivered; any other frame delivers what is held first', () => {
  const delivered: ServerMessage[] = [];
  const { coalescer, endOfRead } = coalescing((message) => delivered.push(message));
  const executing = frame('executing', { node: '8', display_node: '8', prompt_id: A });
  for (let step = 1; step <= 3; step++) {
    coalescer.text(snapshot(A, step));
    coalescer.text(progress(A, step));
  }
  coalescer.text(executing);
  assert.deepEqual(delivered, [snapshot(A, 3), progress(A, 3), executing].map(decodeTextFrame));
  assert.equal(coalescer.superseded, 4);

  // Another prompt's frame of a kind held for the first: delivered in arrival order, nothing dropped.
  delivered.length = 0;
  coalescer.text(progress(A, 4));
  coalescer.text(progress(B, 1));
  coalescer.text(snapshot(B, 1));
  endOfRead();
  assert.deepEqual(delivered, [progress(A, 4), progress(B, 1), snapshot(B, 1)].map(decodeTextFrame));
  assert.equal(coalescer.superseded, 4);
});

test('a frame held and superseded is delivered where its newest came: never after a later frame of the other kind', () => {
  const delivered: ServerMessage[] = [];
  const { coalescer, endOfRead } = coalescing((message) => delivered.push(message));
  coalescer.text(progress(A, 1));
  coalescer.text(snapshot(A, 1));
  coalescer.text(progress(A, 2));
  endOfRead();
  assert.deepEqual(delivered, [snapshot(A, 1), progress(A, 2)].map(decodeTextFrame));
});

test('previews are held like progress frames: the newest per prompt in a read; never a step before a preview', () => {
  const delivered: string[] = [];
  let endOfRead = (): void => undefined;
  const coalescer = new FrameCoalescer(
    (text) => delivered.push(`text ${decodeTextFrame(text).type}`),
    (flush) => (endOfRead = flush),
    (message) => delivered.push(message.type === 'preview' ? `preview ${message.image.toString()}` : message.type === 'progress' ? `progress ${message.value}` : message.type),
  );
  for (let step = 1; step <= 3; step++) {
    coalescer.text(progress(A, step));
    coalescer.binary(preview(A, step));
  }
  coalescer.binary(preview(B, 1));
  coalescer.binary({ type: 'progress_text', nodeId: '3', text: 'loading' });
  // Each step is delivered: a preview after it is handled with it (it may be what makes the preview's job known).
  assert.deepEqual(delivered, ['progress 1', 'progress 2', 'progress 3', 'preview 3', 'preview 1', 'progress_text']);
  assert.equal(coalescer.superseded, 2);
  assert.equal(coalescer.supersededPreviews, 2);

  // Legacy previews: two with no step between are the same job's; one after a step is not one from before it, but two
  // after steps of the same prompt are.
  delivered.length = 0;
  coalescer.binary(preview(undefined, 10));
  coalescer.binary(preview(undefined, 11));
  coalescer.text(progress(A, 4));
  coalescer.binary(preview(undefined, 12));
  coalescer.text(progress(A, 5));
  coalescer.binary(preview(undefined, 13));
  endOfRead();
  assert.deepEqual(delivered, ['preview 11', 'progress 4', 'progress 5', 'preview 13']);
  assert.equal(coalescer.supersededPreviews, 4);
});

test('whatever arrives, what is delivered is the frames in arrival order less those a newer frame of their kind and prompt superseded within the read', () => {
  const kinds = ['progress', 'state', 'executing', 'preview', 'legacy', 'binary'] as const;
  const held = new Set<string>(['progress', 'state', 'preview', 'legacy']);
  const sequence = fc.array(
    fc.record({ prompt: fc.constantFrom(A, B), kind: fc.constantFrom(...kinds), split: fc.boolean() }),
    { minLength: 1, maxLength: 60 },
  );
  fc.assert(
    fc.property(sequence, (frames) => {
      const delivered: number[] = [];
      let endOfRead = (): void => undefined;
      // Each frame carries its arrival index (as its value, or its image), so the delivered order can be checked exactly.
      const coalescer = new FrameCoalescer(
        (text) => delivered.push(JSON.parse(text).data.value as number),
        (flush) => (endOfRead = flush),
        (message) =>
          delivered.push(message.type === 'preview' ? Number(message.image.toString()) : message.type === 'progress' ? message.value : message.type === 'progress_text' ? Number(message.text) : NaN),
      );
      // The end of each read, by index: a frame is superseded by a newer one of its kind and prompt in its read only.
      const readOf: number[] = [];
      let read = 0;
      frames.forEach((f, i) => {
        readOf.push(read);
        if (f.kind === 'progress') coalescer.text(progress(f.prompt, i));
        else if (f.kind === 'state') coalescer.text(frame('progress_state', { prompt_id: f.prompt, nodes: {}, value: i }));
        else if (f.kind === 'executing') coalescer.text(frame('executing', { value: i, prompt_id: f.prompt }));
        else if (f.kind === 'preview') coalescer.binary(preview(f.prompt, i));
        else if (f.kind === 'legacy') coalescer.binary(preview(undefined, i));
        else coalescer.binary({ type: 'progress_text', nodeId: '3', text: String(i) });
        if (f.split) {
          endOfRead();
          read++;
        }
      });
      endOfRead();
      // In arrival order, each at most once.
      assert.ok(delivered.every((index, k) => k === 0 || index > delivered[k - 1]!), `order: ${delivered.join(',')}`);
      const kept = new Set(delivered);
      const samePrompt = (f: (typeof frames)[number], g: (typeof frames)[number]) => g.kind === f.kind && (f.kind === 'legacy' || g.prompt === f.prompt);
      frames.forEach((f, i) => {
        if (kept.has(i)) return;
        // Left out: a frame of a held kind that a newer one of its kind and prompt, delivered, followed in the same
        // read, with only frames of held kinds between them.
        assert.ok(held.has(f.kind), `frame ${i} (${f.kind}) was lost`);
        let j = i + 1;
        for (; j < frames.length && readOf[j] === readOf[i]; j++) {
          const g = frames[j]!;
          assert.ok(held.has(g.kind), `frame ${i} was dropped though frame ${j} (${g.kind}) came before a newer one`);
          if (samePrompt(f, g) && kept.has(j)) break;
        }
        assert.ok(j < frames.length && readOf[j] === readOf[i], `frame ${i} was dropped without a newer one delivered in its read`);
        if (f.kind === 'progress' || f.kind === 'state') {
          // A preview is handled with every step before it.
          for (let k = i + 1; k < j; k++) assert.ok(frames[k]!.kind !== 'preview' && frames[k]!.kind !== 'legacy', `${f.kind} ${i} dropped before preview ${k}`);
          return;
        }
        if (f.kind !== 'legacy') return;
        // A legacy preview goes to the job of the last step: a step between the two must be for the prompt of a step
        // that came before the dropped one, held frames only between (a step of another prompt would move it).
        let before: string | undefined;
        for (let k = i - 1; k >= 0 && readOf[k] === readOf[i] && held.has(frames[k]!.kind); k--) {
          if (frames[k]!.kind === 'progress') {
            before = frames[k]!.prompt;
            break;
          }
        }
        for (let k = i + 1; k < j; k++) {
          if (frames[k]!.kind === 'progress') assert.equal(frames[k]!.prompt, before, `legacy preview ${i} dropped across a step of ${frames[k]!.prompt}`);
        }
      });
    }),
    { numRuns: 2_000 },
  );
});

test('what the tracker ends up with is what every frame would have given it, whatever the order of the frames', async (t) => {
  const sequence = fc.array(
    fc.record({
      prompt: fc.constantFrom(A, B),
      kind: fc.constantFrom('progress', 'state', 'executing', 'preview', 'legacy'),
      value: fc.integer({ min: 0, max: 20 }),
      // Reads of four frames on average: long enough for a step of another prompt between two legacy previews.
      split: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    }),
    { minLength: 1, maxLength: 40 },
  );
  const setup = async () => {
    const { backend, engine } = await connectedEngine(t);
    for (const id of [A, B]) backend.running.push({ id, status: 'running', nodes: { '3': { type: 'KSampler' }, '8': { type: 'VAEDecode' } } });
    backend.status(2);
    await engine.settled();
    return { backend, engine };
  };
  const every = await setup();
  const coalesced = await setup();
  let previews = 0;
  await fc.assert(
    fc.asyncProperty(sequence, async (frames) => {
      const { coalescer, endOfRead } = coalescing((message) => coalesced.backend.send(message));
      // The step rate is left out: it is measured from when frames arrive, which differs between the two engines.
      const progressOf = (engine: typeof every.engine, id: string) => {
        const { stepsPerSecond: _rate, ...rest } = engine.job('fake', id)?.progress ?? {};
        return rest;
      };
      // At the end of every read, both engines are in the same state.
      const compare = (): void => {
        endOfRead();
        for (const id of [A, B]) {
          assert.deepEqual(progressOf(coalesced.engine, id), progressOf(every.engine, id));
          assert.equal(coalesced.engine.latestPreview('fake', id)?.image.toString(), every.engine.latestPreview('fake', id)?.image.toString(), `preview of ${id}`);
        }
      };
      for (const f of frames) {
        if (f.kind === 'preview' || f.kind === 'legacy') {
          // Each preview's bytes are its own, so the newest one each job shows tells them apart.
          const message = preview(f.kind === 'preview' ? f.prompt : undefined, previews++);
          every.backend.send(message);
          coalescer.binary(message);
        } else {
          const text = f.kind === 'progress' ? progress(f.prompt, f.value) : f.kind === 'state' ? snapshot(f.prompt, f.value) : frame('executing', { node: f.value % 2 ? '3' : '8', display_node: '3', prompt_id: f.prompt });
          every.backend.send(decodeTextFrame(text));
          coalescer.text(text);
        }
        // A read ends here sometimes.
        if (f.split) compare();
      }
      compare();
    }),
    { numRuns: 300 },
  );
});
