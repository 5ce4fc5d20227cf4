import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeOutputs, outputsOfJob, outputsOfNode } from '../../../electron/core/comfy/outputs.js';

test('files are found under any key; text and flags are not files', () => {
  const refs = outputsOfNode('9', {
    images: [{ filename: 'a.webp', subfolder: 's', type: 'output' }],
    animated: [true],
    text: ['hello'],
    gifs: [{ filename: 'v.mp4', subfolder: '', type: 'output', format: 'video/h264-mp4' }],
    audio: [{ filename: 'x.flac', subfolder: '', type: 'temp' }],
    my_custom: [{ filename: 'c.bin', type: 'output' }, 'not a file', null, { filename: '', type: 'output' }],
    result: ['mesh.glb', { camera: 1 }],
  });
  assert.deepEqual(
    refs.map((r) => [r.kind, r.filename, r.type, r.animated === true, r.format]),
    [
      ['images', 'a.webp', 'output', true, undefined],
      ['gifs', 'v.mp4', 'output', false, 'video/h264-mp4'],
      ['audio', 'x.flac', 'temp', false, undefined],
      ['my_custom', 'c.bin', 'output', false, undefined],
      ['result', 'mesh.glb', 'output', false, undefined],
    ],
  );
});

test('job outputs walk every node; junk is ignored; merging de-duplicates by file', () => {
  const a = outputsOfJob({ '1': { images: [{ filename: 'x.png', subfolder: '', type: 'output' }] }, '2': null, '3': 'junk' });
  const b = outputsOfJob({ '1': { images: [{ filename: 'x.png', subfolder: '', type: 'output' }, { filename: 'y.png', subfolder: '', type: 'output' }] } });
  assert.deepEqual(mergeOutputs(a, b).map((r) => r.filename), ['x.png', 'y.png']);
  assert.deepEqual(outputsOfJob([1, 2]), []);
});
