// Where MCP downloads may go: inside a root (relative paths inside the first), links followed, everything else refused.
import assert from 'node:assert/strict';
import { mkdir, realpath, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DownloadRoots } from '../../electron/mcp/download-roots.js';
import { tempDir } from '../support/events.js';

test('a folder inside a root is created there; relative paths are inside the first root; others are refused', async (t) => {
  const base = await realpath(await tempDir(t));
  const app = join(base, 'app');
  const extra = join(base, 'extra');
  const roots = new DownloadRoots([
    { path: app, create: true },
    { path: extra, create: true },
  ]);
  assert.equal(await roots.folder(), app, 'the first root, created');
  assert.equal(await roots.folder('a/b'), join(app, 'a', 'b'));
  assert.ok((await stat(join(app, 'a', 'b'))).isDirectory());
  assert.equal(await roots.folder(join(extra, 'x')), join(extra, 'x'));
  for (const outside of ['..', '../extra2', join(base, 'elsewhere'), '/']) {
    await assert.rejects(roots.folder(outside), { code: 'OUTPUT_FOLDER_NOT_ALLOWED' }, outside);
  }
});

test('a link inside a root leading out of it is refused; a root the user chose is never created', async (t) => {
  const base = await realpath(await tempDir(t));
  const root = join(base, 'root');
  await mkdir(root);
  await mkdir(join(base, 'outside'));
  await symlink(join(base, 'outside'), join(root, 'out'));
  const roots = new DownloadRoots([{ path: root, create: false }]);
  await assert.rejects(roots.folder('out'), { code: 'OUTPUT_PATH_ESCAPE' });
  await assert.rejects(roots.folder('out/deeper'), { code: 'OUTPUT_PATH_ESCAPE' });

  await rm(root, { recursive: true });
  await assert.rejects(roots.folder(), { code: 'OUTPUT_FOLDER_MISSING' });
});

test('a root given through a link accepts paths by its real name too', async (t) => {
  const base = await realpath(await tempDir(t));
  await mkdir(join(base, 'real'));
  await symlink(join(base, 'real'), join(base, 'alias'));
  const roots = new DownloadRoots([{ path: join(base, 'alias'), create: false }]);
  assert.equal(await roots.folder(join(base, 'real', 'x')), join(base, 'real', 'x'));
  assert.equal(await roots.folder(join(base, 'alias', 'y')), join(base, 'real', 'y'));
});
