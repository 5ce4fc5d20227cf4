import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeTextFrame, readProgressFrame } from '../../../electron/core/comfy/messages.js';

test('unknown message types from custom nodes are values, not errors', () => {
  assert.deepEqual(decodeTextFrame('{"type":"crystools.monitor","data":{"cpu":3}}'), { type: 'unknown', rawType: 'crystools.monitor' });
});

test('malformed text frames are reported as malformed', () => {
  for (const text of ['', 'not json', '[1,2]', '{"data":{}}', '{"type":"progress","data":{"value":"x"}}', '{"type":"execution_start","data":null}', '{"type":"status","data":{"status":{"exec_info":{}}}}']) {
    assert.equal(decodeTextFrame(text).type, 'malformed', text);
  }
});

test('NaN from Python inside an executed output does not lose the message', () => {
  const decoded = decodeTextFrame('{"type":"executed","data":{"prompt_id":"p","node":"9","output":{"text":[NaN],"images":[{"filename":"a.png","subfolder":"","type":"output"}]}}}');
  assert.equal(decoded.type, 'executed');
});

test('numeric node ids are read as strings; executing null marks the end', () => {
  assert.deepEqual(decodeTextFrame('{"type":"executing","data":{"node":5,"prompt_id":"p"}}'), { type: 'executing', node: '5', displayNode: null, promptId: 'p' });
  assert.deepEqual(decodeTextFrame('{"type":"executing","data":{"node":null,"prompt_id":"p"}}'), { type: 'executing', node: null, displayNode: null, promptId: 'p' });
});

test('ExecutionBlocked is flagged as blocked', () => {
  const decoded = decodeTextFrame('{"type":"execution_error","data":{"prompt_id":"p","node_id":"4","node_type":"X","exception_type":"ExecutionBlocked","exception_message":"Execution Blocked: no","traceback":[],"executed":[]}}');
  assert.equal(decoded.type === 'execution_error' && decoded.blocked, true);
});

test('a 20 MB message is parsed without trouble', () => {
  const text = JSON.stringify({ type: 'executed', data: { prompt_id: 'p', node: '1', output: { text: ['x'.repeat(20 * 1024 * 1024)] } } });
  assert.equal(decodeTextFrame(text).type, 'executed');
});

test('a progress frame read without JSON.parse is exactly what the general decoder makes of it, or left to it', () => {
  const prompt = '0b36a0c9-413e-485c-b646-00000000002a';
  const python = (text: string) => text.replace(/,"/g, ', "').replace(/":/g, '": ');
  // As ComfyUI sends them: always read on the fast path.
  for (const node of ['3', '12:5', null]) {
    for (const text of [JSON.stringify({ type: 'progress', data: { value: 7, max: 20, prompt_id: prompt, node } })]) {
      for (const form of [text, python(text)]) {
        assert.notEqual(readProgressFrame(form), undefined, form);
        assert.deepEqual(readProgressFrame(form), decodeTextFrame(form), form);
      }
    }
  }
  // Whatever the numbers and the node id, and whitespace or escapes in the text: the same message, or none.
  const number = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom('1e999', '-0', '.5', '5.', '01', '1E+2', '1e-7', '2.50'));
  const node = fc.oneof(fc.constant(null), fc.string(), fc.integer());
  fc.assert(
    fc.property(number, number, node, fc.boolean(), fc.boolean(), (value, max, nodeId, asPython, spaced) => {
      const literal = (n: number | string) => (typeof n === 'string' ? n : JSON.stringify(n));
      let text = `{"type":"progress","data":{"value":${literal(value)},"max":${literal(max)},"prompt_id":"${prompt}","node":${JSON.stringify(nodeId)}}}`;
      if (asPython) text = python(text);
      if (spaced) text = text.replace('{"value"', '{ "value"');
      const fast = readProgressFrame(text);
      if (fast === undefined) return;
      assert.deepEqual(fast, decodeTextFrame(text), text);
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
