// What an output is for the viewer, from its first bytes only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sniffMedia } from '../../../electron/core/outputs/media-sniff.js';

const bytes = (...parts: (string | number[])[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

test('images, videos and audio by their signatures; anything else is nothing', () => {
  assert.deepEqual(sniffMedia(bytes([0x89], 'PNG\r\n\x1a\n')), { kind: 'image', mime: 'image/png' });
  assert.deepEqual(sniffMedia(bytes([0, 0, 0, 32], 'ftypisom', [0, 0, 2, 0])), { kind: 'video', mime: 'video/mp4' });
  assert.deepEqual(sniffMedia(bytes([0, 0, 0, 20], 'ftypqt  ')), { kind: 'video', mime: 'video/quicktime' });
  assert.deepEqual(sniffMedia(bytes([0, 0, 0, 20], 'ftypM4A ')), { kind: 'audio', mime: 'audio/mp4' });
  assert.deepEqual(sniffMedia(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f])), { kind: 'video', mime: 'video/webm' });
  assert.deepEqual(sniffMedia(bytes('fLaC', [0])), { kind: 'audio', mime: 'audio/flac' });
  assert.deepEqual(sniffMedia(bytes('OggS', [0])), { kind: 'audio', mime: 'audio/ogg' });
  assert.deepEqual(sniffMedia(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt ')), { kind: 'audio', mime: 'audio/wav' });
  assert.deepEqual(sniffMedia(bytes('ID3', [4, 0])), { kind: 'audio', mime: 'audio/mpeg' });
  assert.deepEqual(sniffMedia(bytes([0xff, 0xfb, 0x90])), { kind: 'audio', mime: 'audio/mpeg' });
  for (const other of [bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), bytes('{"prompt":{}}'), bytes([0x1a, 0x45]), bytes('RIFF', [0, 0, 0, 0], 'AVI '), new Uint8Array()]) {
    assert.equal(sniffMedia(other), undefined);
  }
});
