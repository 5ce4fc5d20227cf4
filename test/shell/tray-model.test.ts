import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trayModel } from '../../electron/shell/tray-model.js';
import { crc32, trayIconPng } from '../../electron/shell/icon-png.js';
import type { AppSnapshot } from '../../electron/shared/ipc-contract.js';

const server = (id: string, state: AppSnapshot['servers'][number]['state']) => ({ id, name: id, url: `http://${id}/`, state });

test('one of three servers running at 37% shows running, with the percentage and queue in the tooltip', () => {
  const model = trayModel({
    version: 1,
    servers: [server('a', 'connected'), server('b', 'connected'), server('c', 'offline')],
    jobs: [
      { serverId: 'b', id: 'r', status: 'running', submittedBy: 'other', outputs: [], progress: { overall: 0.37 } },
      { serverId: 'b', id: 'p', status: 'pending', submittedBy: 'other', outputs: [] },
    ],
  });
  assert.equal(model.icon, 'running');
  assert.match(model.tooltip, /b: running 37%, 1 queued/);
  assert.match(model.tooltip, /c: offline/);
  assert.ok(model.menu.some((item) => item.kind === 'action' && item.action.type === 'cancel-job' && item.action.jobId === 'r'));
  assert.equal(model.menu.at(-1)?.kind === 'action' && model.menu.at(-1)?.kind === 'action' ? (model.menu.at(-1) as { label: string }).label : '', 'Quit');
});

test('all servers down shows offline; an auth failure asks for attention', () => {
  assert.equal(trayModel({ version: 1, servers: [server('a', 'offline')], jobs: [] }).icon, 'offline');
  assert.equal(trayModel({ version: 1, servers: [server('a', 'auth-failed'), server('b', 'connected')], jobs: [] }).icon, 'attention');
  assert.equal(trayModel({ version: 1, servers: [server('a', 'connected')], jobs: [] }).icon, 'idle');
});

test('icons are valid PNGs (signature and chunk CRCs)', () => {
  const png = trayIconPng('running', 32);
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const body = png.subarray(offset + 4, offset + 8 + length);
    assert.equal(png.readUInt32BE(offset + 8 + length), crc32(body));
    offset += 12 + length;
  }
  assert.equal(offset, png.length);
});
