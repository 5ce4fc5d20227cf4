import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../../../electron/core/workflow/bytes.js';
import { detectFormat } from '../../../electron/core/workflow/detect.js';
import { extractWorkflow, readMetadata } from '../../../electron/core/workflow/extract.js';
import { flac, mkv, mp3, mp4, opus, safetensors } from './support/encoders.js';

const PROMPT = '{"1": {"class_type": "SaveAudio", "inputs": {"filename_prefix": "ünï"}}}';
const WORKFLOW = '{"nodes": [], "links": [], "version": 0.4}';
const PAIRS: Array<[string, string]> = [['prompt', PROMPT], ['Workflow', WORKFLOW]];

const files: Array<[string, Buffer, string]> = [
  ['flac', flac(PAIRS), 'a.flac'],
  ['ogg', opus(PAIRS), 'a.opus'],
  ['mp3', mp3(PAIRS), 'a.mp3'],
  ['mp3', mp3(PAIRS, 3), 'a.mp3'],
  ['isobmff', mp4(PAIRS), 'a.mp4'],
  ['matroska', mkv(PAIRS), 'a.webm'],
  ['safetensors', safetensors({ prompt: PROMPT, workflow: WORKFLOW }), 'a.latent'],
];

for (const [format, file, name] of files) {
  test(`${format} (${name}): prompt and workflow are found`, () => {
    assert.equal(detectFormat(file, name), format);
    const read = readMetadata(format as never, file);
    assert.equal(read?.damage, undefined);
    assert.equal(read?.entries.prompt, PROMPT);
    assert.equal(read?.entries.workflow, WORKFLOW);
    const result = extractWorkflow(file, name);
    assert.equal(result.kind, 'comfy');
    if (result.kind === 'comfy') assert.equal(result.prompt?.['1']?.inputs.filename_prefix, 'ünï');
  });

  test(`${format} (${name}): every truncation is handled without throwing`, () => {
    const step = Math.max(1, Math.floor(file.length / 97));
    for (let cut = 0; cut < file.length; cut += step) {
      const result = extractWorkflow(file.subarray(0, cut), name);
      assert.ok(['comfy', 'error', 'not-comfy'].includes(result.kind));
      readMetadata(format as never, file.subarray(0, cut), DEFAULT_LIMITS);
    }
  });
}

test('huge declared sizes are rejected before any allocation', () => {
  const st = safetensors({ prompt: PROMPT });
  st.writeUInt32LE(0xffffffff, 4);
  assert.equal(readMetadata('safetensors', st)?.damage?.code, 'TOO_LARGE');
  const f = flac(PAIRS);
  f.writeUInt32LE(0x7ffffff0, 42 + 4);
  assert.equal(readMetadata('flac', f)?.damage?.code, 'BAD_LENGTH');
  const m = mp3(PAIRS);
  m.fill(0x7f, 6, 10);
  assert.equal(readMetadata('mp3', m)?.damage?.code, 'TRUNCATED');
  const v = mp4(PAIRS);
  const moov = v.indexOf('moov') - 4;
  v.writeUInt32BE(0xfffffff0, moov);
  assert.equal(readMetadata('isobmff', v)?.damage?.code, 'BAD_LENGTH');
});

test('non-UTF-8 comment text falls back to Latin-1', () => {
  const file = flac([['prompt', 'x']]);
  const at = file.indexOf('prompt=x') + 7;
  file[at] = 0xe9;
  assert.equal(readMetadata('flac', file)?.entries.prompt, 'é');
});
