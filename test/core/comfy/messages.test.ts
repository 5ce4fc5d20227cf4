import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTextFrame } from '../../../electron/core/comfy/messages.js';

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

test('a progress_state node called "__proto__" is an own entry, as JSON.parse reads it, not the map\'s prototype', () => {
  const node = (id: string) => ({ value: 1, max: 4, state: 'running', node_id: id, display_node_id: id, prompt_id: 'p' });
  const message = decodeTextFrame(`{"type": "progress_state", "data": {"prompt_id": "p", "nodes": {"__proto__": ${JSON.stringify(node('__proto__'))}, "value": ${JSON.stringify(node('value'))}}}}`);
  assert.ok(message?.type === 'progress_state');
  assert.deepEqual(Object.keys(message.nodes), ['__proto__', 'value']);
  assert.equal(Object.getPrototypeOf(message.nodes), Object.prototype);
  assert.equal(message.nodes['__proto__']?.displayNodeId, '__proto__');
});
