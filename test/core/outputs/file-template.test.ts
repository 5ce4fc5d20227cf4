// Templates: every token, values that try to add folders or climb out, and typos refused up front.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TEMPLATE, dateTokens, renderTemplate, validateTemplate, type TemplateValues } from '../../../electron/core/outputs/file-template.js';
import { errorCode } from '../../../electron/core/errors.js';
import { HOSTILE_NAMES } from './hostile-names.js';

const VALUES: TemplateValues = {
  server: 'gpu box',
  date: '2026-03-04',
  time: '05-06-07',
  job: '3f1c9e0a-0000-4000-8000-000000000001',
  node: '9',
  index: '2',
  filename: 'ComfyUI_00001_.png',
  subfolder: 'portraits/best',
  workflow: 'My flow',
};

test('the default template: server, date, file name', () => {
  assert.deepEqual(renderTemplate(DEFAULT_TEMPLATE, VALUES), ['gpu box', '2026-03-04', 'ComfyUI_00001_.png']);
});

test('every token', () => {
  assert.deepEqual(renderTemplate('{workflow}/{subfolder}/{date}_{time}/{job}-{node}-{index}-{filename}', VALUES), [
    'My flow',
    'portraits',
    'best',
    '2026-03-04_05-06-07',
    '3f1c9e0a-0000-4000-8000-000000000001-9-2-ComfyUI_00001_.png',
  ]);
});

test('a file name part without {filename} keeps the extension; empty folder levels are dropped', () => {
  assert.deepEqual(renderTemplate('{workflow}/{job}_{index}', { ...VALUES, workflow: '' }), ['3f1c9e0a-0000-4000-8000-000000000001_2.png']);
  assert.deepEqual(renderTemplate('{subfolder}/{filename}', { ...VALUES, subfolder: '' }), ['ComfyUI_00001_.png']);
});

test('values cannot add folders or climb out, whatever the server sends', () => {
  for (const hostile of HOSTILE_NAMES) {
    const segments = renderTemplate('{server}/{subfolder}/{workflow}-{filename}', { ...VALUES, server: hostile, subfolder: hostile, workflow: hostile, filename: hostile });
    for (const segment of segments) {
      assert.ok(segment !== '..' && segment !== '.' && segment !== '', JSON.stringify(segments));
      assert.doesNotMatch(segment, /[/\\]/);
    }
  }
  assert.deepEqual(renderTemplate('{server}/{filename}', { ...VALUES, server: '../..', filename: '../../x.png' }), ['___', '___.._x.png']);
});

test('validation refuses unknown tokens, absolute paths, climbing and a missing file name', () => {
  validateTemplate(DEFAULT_TEMPLATE);
  validateTemplate('{server}/{workflow}/{date}/{time}_{filename}');
  for (const bad of ['', '{server}/{nope}', '{server', '/abs/{filename}', 'C:/x/{filename}', '../{filename}', '{server}/', 'a/./{filename}']) {
    assert.throws(() => validateTemplate(bad), (error: unknown) => errorCode(error) === 'OUTPUT_TEMPLATE_INVALID', bad);
  }
});

test('date and time tokens have no characters Windows refuses', () => {
  const { date, time } = dateTokens(Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(time, /^\d{2}-\d{2}-\d{2}$/);
});
