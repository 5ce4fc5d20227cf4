// Which outputs get a thumbnail (images) and which a typed placeholder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outputKind } from '../../../renderer/models/output-kind.js';

test('the file extension decides, then the MIME format, then the key the node listed it under', () => {
  assert.equal(outputKind({ kind: 'images', filename: 'ComfyUI_00001_.png' }), 'image');
  assert.equal(outputKind({ kind: 'gifs', filename: 'AnimateDiff_00001.gif' }), 'image');
  assert.equal(outputKind({ kind: 'gifs', filename: 'AnimateDiff_00001.mp4', format: 'video/h264-mp4' }), 'video');
  assert.equal(outputKind({ kind: 'images', filename: 'clip.WEBM' }), 'video');
  assert.equal(outputKind({ kind: 'audio', filename: 'speech.flac' }), 'audio');
  assert.equal(outputKind({ kind: '3d', filename: 'mesh.glb' }), '3d');
  assert.equal(outputKind({ kind: 'latents', filename: 'ComfyUI_00001_.latent' }), 'file');
  assert.equal(outputKind({ kind: 'gifs', filename: 'noext', format: 'video/webm' }), 'video');
  assert.equal(outputKind({ kind: 'images', filename: 'noext' }), 'image');
  assert.equal(outputKind({ kind: 'whatever', filename: 'notes.txt' }), 'file');
});
