// Two files are the same output only when every byte is: sizes first, then the contents chunk by chunk.
import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sameBytes } from '../../../electron/core/outputs/same-bytes.js';
import { tempDir } from '../../support/events.js';

test('the same bytes are the same file; a different size, a different last byte, or a missing file are not', async (t) => {
  const dir = await tempDir(t);
  // Larger than one chunk read at a time, so the comparison goes on past the first.
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'b');
  const changed = Buffer.from(big);
  changed[changed.length - 1] = 0x21;
  const files = { a: big, same: Buffer.from(big), changed, shorter: big.subarray(1), empty: Buffer.alloc(0), empty2: Buffer.alloc(0) };
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  const same = (x: string, y: string): Promise<boolean> => sameBytes(join(dir, x), join(dir, y));
  assert.equal(await same('a', 'same'), true);
  assert.equal(await same('a', 'changed'), false);
  assert.equal(await same('a', 'shorter'), false);
  assert.equal(await same('empty', 'empty2'), true);
  assert.equal(await same('a', 'missing'), false);
});

test('a link to a file with the same bytes is not that file', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a'), 'bytes');
  await writeFile(join(dir, 'elsewhere'), 'bytes');
  await symlink(join(dir, 'elsewhere'), join(dir, 'link'));
  assert.equal(await sameBytes(join(dir, 'a'), join(dir, 'link')), false);
});
