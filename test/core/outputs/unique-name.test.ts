// Never overwrite: clashes get "name (n).ext", also when many finish at once.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { candidateName, publishUnique } from '../../../electron/core/outputs/unique-name.js';
import { tempDir } from '../../support/events.js';

test('candidate names keep the extension and the length limit', () => {
  assert.equal(candidateName('a.png', 0), 'a.png');
  assert.equal(candidateName('a.png', 2), 'a (2).png');
  assert.equal(candidateName('noext', 1), 'noext (1)');
  const long = candidateName(`${'x'.repeat(251)}.png`, 12);
  assert.ok(long.endsWith(' (12).png') && Buffer.byteLength(long) <= 255);
});

test('an existing file is never overwritten; twenty at once get twenty names', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'img.png'), 'user file');
  const temps = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const temp = join(dir, `.t${i}.part`);
      await writeFile(temp, `content ${i}`);
      return temp;
    }),
  );
  const paths = await Promise.all(temps.map(async (temp) => (await publishUnique(temp, dir, 'img.png')).path));
  assert.equal(new Set(paths).size, 20);
  assert.equal(await readFile(join(dir, 'img.png'), 'utf8'), 'user file');
  const names = (await readdir(dir)).sort();
  assert.equal(names.length, 21, 'no temporary file left');
  assert.ok(names.includes('img (20).png'));
  const contents = new Set(await Promise.all(paths.map((p) => readFile(p, 'utf8'))));
  assert.equal(contents.size, 20);
});

test('a name already holding exactly these bytes is that file: nothing is published again, and no name is claimed', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'img.png'), 'other bytes');
  await writeFile(join(dir, 'img (1).png'), 'the output');
  const temp = join(dir, '.t.part');
  await writeFile(temp, 'the output');
  const claimed: string[] = [];
  const published = await publishUnique(temp, dir, 'img.png', async (target) => {
    claimed.push(target);
  });
  assert.deepEqual(published, { path: join(dir, 'img (1).png'), existing: true });
  assert.deepEqual(claimed, []);
  assert.deepEqual((await readdir(dir)).sort(), ['img (1).png', 'img.png'], 'the temporary file is gone, no copy made');
  assert.equal(await readFile(join(dir, 'img.png'), 'utf8'), 'other bytes');
});

