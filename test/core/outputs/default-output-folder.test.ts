import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultOutputFolder, picturesFolder, xdgPictures } from '../../../electron/core/outputs/default-output-folder.js';
import { tempDir } from '../../support/events.js';

test('the Pictures folder as Electron finds it: the XDG user-dirs entry on Linux, ~/Pictures otherwise', async (t) => {
  const home = await tempDir(t);
  assert.equal(picturesFolder({}, 'darwin', home), join(home, 'Pictures'));
  assert.equal(picturesFolder({}, 'linux', home), join(home, 'Pictures'), 'no user-dirs file');
  const config = join(home, 'cfg');
  await mkdir(config);
  await writeFile(join(config, 'user-dirs.dirs'), '# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR="$HOME/Schreibtisch"\nXDG_PICTURES_DIR="$HOME/Bilder"\n');
  assert.equal(picturesFolder({ XDG_CONFIG_HOME: config }, 'linux', home), join(home, 'Bilder'));
  assert.equal(defaultOutputFolder(join(home, 'Bilder')), join(home, 'Bilder', 'Comfy Tray'));
});

test('user-dirs values: $HOME-relative or absolute; the home folder itself or a relative path is not taken', () => {
  assert.equal(xdgPictures('XDG_PICTURES_DIR="/data/pics"', '/h'), '/data/pics');
  assert.equal(xdgPictures('XDG_PICTURES_DIR="$HOME/"', '/h'), undefined);
  assert.equal(xdgPictures('XDG_PICTURES_DIR="pics"', '/h'), undefined);
  assert.equal(xdgPictures('XDG_MUSIC_DIR="$HOME/Music"', '/h'), undefined);
  assert.equal(xdgPictures(undefined, '/h'), undefined);
});
