import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBinaryFrame } from '../../../electron/core/comfy/binary-frames.js';

function frame(type: number, second: number, rest: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(type, 0);
  head.writeUInt32BE(second, 4);
  return Buffer.concat([head, rest]);
}

test('type 1: format 2 is PNG, anything else JPEG; bytes are a view, not a copy', () => {
  const png = frame(1, 2, Buffer.from('png-bytes'));
  const decoded = decodeBinaryFrame(png);
  assert.equal(decoded.type, 'preview');
  if (decoded.type !== 'preview') return;
  assert.equal(decoded.mime, 'image/png');
  assert.equal(decoded.image.toString(), 'png-bytes');
  assert.equal(decoded.image.buffer, png.buffer, 'no copy of the image bytes');
  const odd = decodeBinaryFrame(frame(1, 77, Buffer.from('x')));
  assert.equal(odd.type === 'preview' && odd.mime, 'image/jpeg');
});

test('type 4: metadata length is a 4-byte big-endian field at offset 4', () => {
  const meta = Buffer.from(JSON.stringify({ prompt_id: 'p', node_id: '3', display_node_id: '3', image_type: 'image/png' }));
  const decoded = decodeBinaryFrame(frame(4, meta.length, Buffer.concat([meta, Buffer.from('IMG')])));
  assert.deepEqual(decoded.type === 'preview' && [decoded.promptId, decoded.nodeId, decoded.mime, decoded.image.toString()], ['p', '3', 'image/png', 'IMG']);
});

test('type 3: progress text with its node id', () => {
  const id = Buffer.from('12');
  const decoded = decodeBinaryFrame(frame(3, id.length, Buffer.concat([id, Buffer.from('loading model…')])));
  assert.deepEqual(decoded, { type: 'progress_text', nodeId: '12', text: 'loading model…' });
});

test('hostile frames become malformed or unknown values, never exceptions', () => {
  const cases: Buffer[] = [
    Buffer.alloc(0),
    Buffer.from([0, 0, 0]),
    Buffer.from([0, 0, 0, 1]),
    frame(4, 0xffffffff),
    frame(4, 10, Buffer.from('{not json')),
    frame(4, 4, Buffer.from('null')),
    frame(3, 1_000_000, Buffer.from('x')),
    frame(3, 0xffffffff),
  ];
  for (const c of cases) assert.equal(decodeBinaryFrame(c).type, 'malformed', c.toString('hex'));
  assert.deepEqual(decodeBinaryFrame(frame(99, 0)), { type: 'unknown', rawType: 'binary:99' });
});
