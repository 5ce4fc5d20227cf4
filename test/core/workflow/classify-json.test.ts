import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyJsonText } from '../../../electron/core/workflow/classify-json.js';
import { detectByExtension, detectFormat } from '../../../electron/core/workflow/detect.js';
import { extractWorkflow } from '../../../electron/core/workflow/extract.js';
import { png, webp } from './support/encoders.js';

test('API prompts: every top-level value has a string class_type and object inputs', () => {
  const result = classifyJsonText('{"3": {"class_type": "KSampler", "inputs": {"seed": 12345678901234567890, "cfg": NaN}}}');
  assert.equal(result.kind, 'api-prompt');
  if (result.kind === 'api-prompt') {
    assert.equal(result.prompt['3']?.inputs.seed, 12345678901234567890n);
    assert.equal(result.prompt['3']?.inputs.cfg, null);
  }
  assert.equal(classifyJsonText('{"3": {"class_type": "KSampler", "inputs": []}}').kind, 'unknown');
  assert.equal(classifyJsonText('{"3": {"class_type": 5, "inputs": {}}}').kind, 'unknown');
  assert.equal(classifyJsonText('{}').kind, 'unknown');
});

test('UI workflows by schema, template bundles, junk', () => {
  const v04 = classifyJsonText('{"nodes": [], "links": [], "version": 0.4}');
  assert.equal(v04.kind === 'ui-workflow' ? v04.schema : v04.kind, '0.4');
  const v1 = classifyJsonText('{"nodes": [], "links": [], "version": 1, "state": {}}');
  assert.equal(v1.kind === 'ui-workflow' ? v1.schema : v1.kind, '1');
  assert.equal(classifyJsonText('{"templates": []}').kind, 'template-bundle');
  assert.equal(classifyJsonText('[{"moduleName": "default", "templates": []}]').kind, 'template-bundle');
  assert.equal(classifyJsonText('[1, 2]').kind, 'unknown');
  assert.equal(classifyJsonText('{"nodes": ').kind, 'invalid-json');
  assert.equal(classifyJsonText('\ufeff{"nodes": [], "links": []}').kind, 'ui-workflow');
});

test('format detection: magic bytes win over the extension', () => {
  assert.equal(detectFormat(png([]), 'photo.webp'), 'png');
  assert.equal(detectFormat(webp(undefined), 'photo.png'), 'webp');
  assert.equal(detectFormat(Buffer.from('fLaC\0\0\0\x22'), 'a.mp3'), 'flac');
  assert.equal(detectFormat(Buffer.from('ID3\x04\0\0\0\0\0\0'), 'a'), 'mp3');
  assert.equal(detectFormat(Buffer.from('OggS\0\x02'), 'a'), 'ogg');
  assert.equal(detectFormat(Buffer.from('\0\0\0\x18ftypisom'), 'a'), 'isobmff');
  assert.equal(detectFormat(Buffer.of(0x1a, 0x45, 0xdf, 0xa3, 0x9f), 'a'), 'matroska');
  assert.equal(detectFormat(Buffer.from('  \n{"a":1}'), 'a.png'), 'json');
  const header = Buffer.from('{"__metadata__":{}}');
  const st = Buffer.alloc(8 + header.length);
  st.writeUInt32LE(header.length, 0);
  header.copy(st, 8);
  assert.equal(detectFormat(st, 'x.latent'), 'safetensors');
  assert.equal(detectFormat(Buffer.from('????'), 'clip.MOV'), 'isobmff');
  assert.equal(detectByExtension('noext'), 'unknown');
  assert.equal(detectFormat(Buffer.from('????'), 'x.txt'), 'unknown');
});

test('extractWorkflow on JSON files', () => {
  const api = extractWorkflow(Buffer.from('{"1": {"class_type": "X", "inputs": {}}}'), 'p.json');
  assert.equal(api.kind === 'comfy' && api.prompt !== undefined, true);
  const ui = extractWorkflow(Buffer.from('{"nodes": [], "links": []}'));
  assert.equal(ui.kind === 'comfy' && ui.workflow !== undefined, true);
  assert.equal(extractWorkflow(Buffer.from('{"templates": []}')).kind, 'not-comfy');
  const junk = extractWorkflow(Buffer.from('{"x": 1}'));
  assert.equal(junk.kind === 'error' ? junk.code : junk.kind, 'WORKFLOW_NOT_COMFY');
  const bad = extractWorkflow(Buffer.from('{"x": '));
  assert.equal(bad.kind === 'error' ? bad.code : bad.kind, 'WORKFLOW_INVALID_JSON');
  const unsupported = extractWorkflow(Buffer.from('hello'), 'a.txt');
  assert.equal(unsupported.kind === 'error' ? unsupported.code : unsupported.kind, 'WORKFLOW_UNSUPPORTED_FORMAT');
});
