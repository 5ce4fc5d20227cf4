// macOS: no dock icon while only the tray runs; the window brings it (and with it the badge and dock progress).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockSync, dockWanted } from '../../electron/shell/dock.js';

test('the dock icon is wanted while the window is visible or minimized into the dock, not otherwise', () => {
  assert.equal(dockWanted(undefined), false);
  assert.equal(dockWanted({ visible: false, minimized: false }), false);
  assert.equal(dockWanted({ visible: true, minimized: false }), true);
  assert.equal(dockWanted({ visible: false, minimized: true }), true);
});

test('tray only at start, dock while the window is shown, gone again when it is hidden or closed; each change once', async () => {
  const calls: string[] = [];
  const dock = new DockSync({ show: async () => void calls.push('show'), hide: () => void calls.push('hide') });
  await dock.update(undefined);
  assert.deepEqual(calls, ['hide'], 'no dock icon while only the tray runs');
  await dock.update({ visible: true, minimized: false });
  await dock.update({ visible: true, minimized: false });
  assert.deepEqual(calls, ['hide', 'show'], 'shown with the window, once');
  await dock.update({ visible: false, minimized: true });
  assert.deepEqual(calls, ['hide', 'show'], 'a minimized window lives in the dock: it stays');
  await dock.update({ visible: false, minimized: false });
  await dock.update({ visible: true, minimized: false });
  await dock.update(undefined);
  assert.deepEqual(calls, ['hide', 'show', 'hide', 'show', 'hide']);
});

test('no dock (Windows, Linux): nothing to do', async () => {
  await new DockSync(undefined).update({ visible: true, minimized: false });
});
