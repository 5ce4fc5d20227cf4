// Hostile names from an untrusted server: every one becomes a single valid component on every OS, and nothing can
// be written outside the chosen folder, not even through a link placed inside it.
import assert from 'node:assert/strict';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ensureFolderInside,
  fitPathLength,
  isInside,
  MAX_COMPONENT_BYTES,
  MAX_SUBFOLDER_BYTES,
  MAX_SUBFOLDER_DEPTH,
  pathLimits,
  realRoot,
  sanitizeComponent,
  sanitizeSubpath,
} from '../../../electron/core/outputs/path-safety.js';
import { permanent } from '../../../electron/core/outputs/save-failures.js';
import { ComfyTrayError } from '../../../electron/core/errors.js';
import { errorCode } from '../../../electron/core/errors.js';
import { tempDir } from '../../support/events.js';
import { HOSTILE_NAMES } from './hostile-names.js';

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

function assertSafe(name: string): void {
  assert.ok(name.length > 0, 'not empty');
  assert.ok(Buffer.byteLength(name) <= MAX_COMPONENT_BYTES, `at most 255 bytes: ${name.length}`);
  assert.doesNotMatch(name, /[<>:"/\\|?*\u0000-\u001f\u007f]/, `no illegal characters in ${JSON.stringify(name)}`);
  assert.doesNotMatch(name, /[. ]$/, 'no trailing dot or space');
  assert.doesNotMatch(name, /^\./, 'no leading dot');
  assert.ok(!RESERVED.test(name.split('.', 1)[0]!.trimEnd()), `not a device name: ${name}`);
  assert.notEqual(name, '..');
}

test('every hostile name becomes one safe component', () => {
  for (const raw of HOSTILE_NAMES) assertSafe(sanitizeComponent(raw));
});

test('sanitising keeps ordinary names and extensions, and shortens by bytes keeping the extension', () => {
  assert.equal(sanitizeComponent('ComfyUI_00001_.png'), 'ComfyUI_00001_.png');
  assert.equal(sanitizeComponent('portrait (1).webp'), 'portrait (1).webp');
  assert.equal(sanitizeComponent('日本語.png'), '日本語.png');
  assert.equal(sanitizeComponent('con.png'), '_con.png');
  assert.equal(sanitizeComponent('a:b.png'), 'a_b.png');
  const long = sanitizeComponent(`${'é'.repeat(200)}.webp`);
  assert.ok(long.endsWith('.webp'));
  assert.ok(Buffer.byteLength(long) <= 255 && Buffer.byteLength(long) > 245);
  const emoji = sanitizeComponent(`${'😀'.repeat(100)}.mp4`);
  assert.ok(emoji.endsWith('.mp4'));
  assert.ok(!emoji.includes('\ufffd'), 'never cut inside a character');
});

test('any string at all sanitises to a safe component (property)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (raw) => assertSafe(sanitizeComponent(raw))), { numRuns: 300 });
});

test('subfolders: separators of both kinds, no climbing, no absolute or drive prefixes', () => {
  assert.deepEqual(sanitizeSubpath('a/b\\c'), ['a', 'b', 'c']);
  assert.deepEqual(sanitizeSubpath('../../etc'), ['etc']);
  assert.deepEqual(sanitizeSubpath('a/../../b'), ['a', 'b']);
  assert.deepEqual(sanitizeSubpath('/abs/path'), ['abs', 'path']);
  assert.deepEqual(sanitizeSubpath('C:\\Users\\x'), ['C_', 'Users', 'x']);
  assert.deepEqual(sanitizeSubpath('\\\\server\\share'), ['server', 'share']);
  assert.deepEqual(sanitizeSubpath(''), []);
  for (const raw of HOSTILE_NAMES) for (const part of sanitizeSubpath(raw)) assertSafe(part);
});

test('a subfolder nested thousands of levels deep, or too long as a whole, is folded into a bounded one', () => {
  const deep = sanitizeSubpath('a/'.repeat(2000));
  assert.equal(deep.length, MAX_SUBFOLDER_DEPTH);
  assert.deepEqual(deep.slice(0, -1), new Array<string>(MAX_SUBFOLDER_DEPTH - 1).fill('a'), 'the leading levels stay readable');
  assert.match(deep.at(-1)!, /^_[0-9a-f]{16}$/);
  const wide = sanitizeSubpath(`${'x'.repeat(250)}/`.repeat(20));
  assert.ok(Buffer.byteLength(wide.join('/')) <= MAX_SUBFOLDER_BYTES);
  // Different paths stay apart, the same path lands in the same folder every time.
  assert.notDeepEqual(sanitizeSubpath('a/'.repeat(2000)), sanitizeSubpath(`${'a/'.repeat(2000)}b`));
  assert.deepEqual(sanitizeSubpath('a/'.repeat(2000)), deep);
  assert.deepEqual(sanitizeSubpath('video/2026/01'), ['video', '2026', '01'], 'ordinary subfolders untouched');
});

test('the whole path fits Windows MAX_PATH under a long output folder: folders folded, the name shortened', () => {
  const limits = pathLimits('win32');
  const root = `C:\\Users\\someone\\${'Long Folder Name '.repeat(8)}`;
  const segments = ['gpu box', '2026-03-04', ...sanitizeSubpath(`${'sub'.repeat(40)}/`.repeat(8)), `${'n'.repeat(200)}.png`];
  const fitted = fitPathLength(root, segments, limits);
  const folder = [root, ...fitted.slice(0, -1)].join('\\');
  assert.ok(folder.length <= 247, `folder ${folder.length} chars`);
  assert.ok(folder.length + 1 + 64 <= 259, 'room for temporary and job file names');
  assert.ok(`${folder}\\${fitted.at(-1)!}`.length + 8 <= 259, 'room for a " (n)" on a clash');
  assert.deepEqual(fitted.slice(0, 2), ['gpu box', '2026-03-04'], "the template's first folders are kept");
  assert.ok(fitted.at(-1)!.endsWith('.png'), 'the extension is kept');
  // What fits is left alone.
  assert.deepEqual(fitPathLength('C:\\Out', ['gpu box', '2026-03-04', 'a.png'], limits), ['gpu box', '2026-03-04', 'a.png']);
});

test('elsewhere the limit is 1023 bytes (a folder synced to a Mac must open there), counted in UTF-8', () => {
  const root = `/home/someone/${'é'.repeat(400)}`;
  const fitted = fitPathLength(root, [...sanitizeSubpath(`${'é'.repeat(120)}/`.repeat(3)), 'a.png'], pathLimits('linux'));
  const path = [root, ...fitted].join('/');
  assert.ok(Buffer.byteLength(path) + 8 <= 1023, `${Buffer.byteLength(path)} bytes`);
  assert.equal(fitted.length, 2);
  assert.match(fitted[0]!, /^_[0-9a-f]{16}$/, 'the folders that did not fit are one hashed folder');
  assert.equal(fitted.at(-1), 'a.png');
});

test('an output folder that leaves no room for names is refused with a failure that is not retried on a timer', () => {
  assert.throws(
    () => fitPathLength(`C:\\${'x'.repeat(200)}`, ['a.png'], pathLimits('win32')),
    (error: unknown) => error instanceof ComfyTrayError && error.code === 'OUTPUT_WRITE_FAILED' && permanent(error),
  );
});

test('hostile subfolders and names never leave the folder on disk', async (t) => {
  const base = await realRoot(await tempDir(t));
  for (const [i, raw] of HOSTILE_NAMES.entries()) {
    // One folder per case: a file of one case must not stand where another case wants a folder.
    const root = join(base, String(i));
    await mkdir(root);
    const dir = await ensureFolderInside(root, sanitizeSubpath(raw));
    assert.ok(isInside(root, dir), raw);
    const file = join(dir, sanitizeComponent(raw));
    await writeFile(file, 'x', { flag: 'w' });
    assert.ok(isInside(root, await realpath(file)), raw);
  }
});

test('a link inside the folder pointing outside is refused before anything is created', async (t) => {
  const root = await realRoot(await tempDir(t));
  const outside = await tempDir(t);
  await symlink(outside, join(root, 'escape'));
  await assert.rejects(ensureFolderInside(root, ['escape', 'new']), (error: unknown) => errorCode(error) === 'OUTPUT_PATH_ESCAPE');
  await assert.rejects(realpath(join(outside, 'new')), 'nothing created outside');
  // A link that stays inside is fine.
  await mkdir(join(root, 'real'));
  await symlink(join(root, 'real'), join(root, 'inside-link'));
  assert.equal(await ensureFolderInside(root, ['inside-link', 'x']), join(root, 'real', 'x'));
});

test('the output folder itself may be a link (an external drive); a missing one is reported, not created', async (t) => {
  const base = await tempDir(t);
  await mkdir(join(base, 'drive'));
  await symlink(join(base, 'drive'), join(base, 'Outputs'));
  const root = await realRoot(join(base, 'Outputs'));
  assert.equal(root, await realpath(join(base, 'drive')));
  await assert.rejects(realRoot(join(base, 'unplugged')), (error: unknown) => errorCode(error) === 'OUTPUT_FOLDER_MISSING');
});
