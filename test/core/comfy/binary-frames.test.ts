import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
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

test('type 4 metadata as ComfyUI writes it is read without JSON.parse, exactly as the general reading reads it', () => {
  const prompt = '0b36a0c9-413e-485c-b646-00000000002a';
  const python = (text: string) => text.replace(/,"/g, ', "').replace(/":/g, '": ');
  const preview = (metadata: string) => {
    const meta = Buffer.from(metadata);
    return frame(4, meta.length, Buffer.concat([meta, Buffer.from('IMG')]));
  };
  // A trailing space, which JSON allows, keeps the metadata off the fast path: the general reading of the same fields.
  const both = (metadata: string) => [decodeBinaryFrame(preview(metadata)), decodeBinaryFrame(preview(`${metadata} `))] as const;
  const text = fc.oneof(fc.constantFrom('3', '12:5', ''), fc.string({ maxLength: 5 }));
  const id = fc.oneof(fc.constant(null), text, fc.integer());
  fc.assert(
    fc.property(id, id, id, id, fc.oneof(fc.constantFrom('image/png', 'image/jpeg'), text), fc.boolean(), (node, display, parent, real, imageType, asPython) => {
      const json = JSON.stringify({ node_id: node, prompt_id: prompt, display_node_id: display, parent_node_id: parent, real_node_id: real, image_type: imageType });
      const [fast, general] = both(asPython ? python(json) : json);
      assert.deepEqual(fast, general);
    }),
    { numRuns: 3_000 },
  );
  const real = JSON.stringify({ node_id: '3', prompt_id: prompt, display_node_id: '3', parent_node_id: null, real_node_id: '3', image_type: 'image/png' });
  for (const metadata of [real, python(real)]) {
    const [fast] = both(metadata);
    assert.deepEqual(fast.type === 'preview' && [fast.promptId, fast.nodeId, fast.displayNodeId, fast.mime, fast.image.toString()], [prompt, '3', '3', 'image/png', 'IMG']);
  }
});
