// The frames a sampler sends at every step, read without JSON.parse: exactly what the general decoder makes of the
// same text, or left to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readProgressFrame, readProgressStateFrame } from '../../../electron/core/comfy/hot-frames.js';
import { decodeTextFrame } from '../../../electron/core/comfy/messages.js';

const prompt = '0b36a0c9-413e-485c-b646-00000000002a';
/** As ComfyUI's json.dumps writes it: ", " and ": ". */
const python = (text: string) => text.replace(/,"/g, ', "').replace(/":/g, '": ');
/** A number as JSON writes it, or a literal that may or may not be JSON. */
const literal = (n: number | string) => (typeof n === 'string' ? n : JSON.stringify(n));
/** What JSON.parse and the general checks make of a text: a trailing space, which JSON allows, keeps it off the fast path. */
function general(text: string) {
  assert.equal(readProgressStateFrame(`${text} `), undefined);
  return decodeTextFrame(`${text} `);
}
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom('1e999', '-0', '.5', '5.', '01', '1E+2', '1e-7', '2.50', 'NaN', '"3"'));

test('a progress frame is read exactly as the general decoder reads it, or left to it', () => {
  // As ComfyUI sends them: always read on the fast path.
  for (const node of ['3', '12:5', null]) {
    const text = JSON.stringify({ type: 'progress', data: { value: 7, max: 20, prompt_id: prompt, node } });
    for (const form of [text, python(text)]) {
      assert.notEqual(readProgressFrame(form), undefined, form);
      assert.deepEqual(readProgressFrame(form), general(form), form);
    }
  }
  // Whatever the numbers and the node id, and whitespace or escapes in the text: the same message, or none.
  const node = fc.oneof(fc.constant(null), fc.string(), fc.integer());
  fc.assert(
    fc.property(number, number, node, fc.boolean(), fc.boolean(), (value, max, nodeId, asPython, spaced) => {
      let text = `{"type":"progress","data":{"value":${literal(value)},"max":${literal(max)},"prompt_id":"${prompt}","node":${JSON.stringify(nodeId)}}}`;
      if (asPython) text = python(text);
      if (spaced) text = text.replace('{"value"', '{ "value"');
      const fast = readProgressFrame(text);
      if (fast !== undefined) assert.deepEqual(fast, general(text), text);
    }),
    { numRuns: 5_000 },
  );
  for (const other of [
    `{"type": "progress", "data": {"value": 1, "max": 2, "prompt_id": "${prompt}", "node": "3", "extra": 1}}`,
    `{"type": "progress", "data": {"value": 1e999, "max": 2, "prompt_id": "${prompt}", "node": "3"}}`,
    `{"type": "progress", "data": {"value": NaN, "max": 2, "prompt_id": "${prompt}", "node": "3"}}`,
    `{"type": "progress", "data": {"value": 1, "max": 2, "prompt_id": "${prompt}", "node": "a\\"b"}}`,
    `{"type": "progress", "data": {"value": 1, "max": 2, "prompt_id": "${prompt}", "node": 3}}`,
    `{"type": "progress_state", "data": {"prompt_id": "${prompt}", "nodes": {}}}`,
  ]) {
    assert.equal(readProgressFrame(other), undefined, other);
  }
});

/** One node of a snapshot in ComfyUI's key order; newer servers add `activity`. */
const nodeState = (id: string, value: number | string, max: number | string, state: string, display: string | null, activity?: string | null) =>
  `"${id}":{"value":${literal(value)},"max":${literal(max)},"state":${JSON.stringify(state)},"node_id":"${id}","prompt_id":"${prompt}","display_node_id":${JSON.stringify(display)},"parent_node_id":null,"real_node_id":"${id}"` +
  `${activity === undefined ? '' : `,"activity":${JSON.stringify(activity)}`}}`;
const snapshotText = (nodes: string[]) => `{"type":"progress_state","data":{"prompt_id":"${prompt}","nodes":{${nodes.join(',')}}}}`;

test('a progress_state snapshot is read exactly as the general decoder reads it, or left to it', () => {
  // As ComfyUI sends them (the recorded shape): always read on the fast path, and decoded on it.
  const real = snapshotText([nodeState('4', 1, 1, 'finished', '4'), nodeState('12:5', 0, 1, 'running', '12', null), nodeState('3', 7, 20, 'running', '3', 'Sampling')]);
  for (const form of [real, python(real), snapshotText([]), python(snapshotText([]))]) {
    assert.notEqual(readProgressStateFrame(form), undefined, form);
    assert.deepEqual(readProgressStateFrame(form), general(form), form);
  }
  const id = fc.oneof(fc.constantFrom('3', '12:5', '__proto__', 'constructor', ''), fc.string({ maxLength: 6 }));
  const node = fc.record({ id, value: number, max: number, state: fc.oneof(fc.constantFrom('running', 'finished', 'pending'), fc.string({ maxLength: 4 })), display: fc.oneof(fc.constant(null), fc.string({ maxLength: 4 })), activity: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }) });
  fc.assert(
    fc.property(fc.array(node, { maxLength: 5 }), fc.boolean(), fc.constantFrom('', ' ', ',', ', {}'), (nodes, asPython, tail) => {
      let text = snapshotText(nodes.map((n) => nodeState(JSON.stringify(n.id).slice(1, -1), n.value, n.max, n.state, n.display, n.activity)));
      if (asPython) text = python(text);
      if (tail) text = text.replace(/\}\}\}$/, `${tail}}}}`);
      const fast = readProgressStateFrame(text);
      if (fast !== undefined) assert.deepEqual(fast, general(text), text);
    }),
    { numRuns: 5_000 },
  );
  for (const other of [
    real.replace('"state":"running"', '"state":1'),
    real.replace('"parent_node_id":null', '"parent_node_id":null,"extra":1'),
    real.replace('"max":20', '"max":1e999'),
    real.replace('"max":20', '"max":NaN'),
    `${real} `,
    real.replace(/\}\}\}$/, ',}}}'),
    snapshotText([nodeState('__proto__', 1, 1, 'finished', null)]),
  ]) {
    assert.equal(readProgressStateFrame(other), undefined, other);
  }
});
