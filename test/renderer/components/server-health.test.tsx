// Server health on the card (happy-dom): the device and VRAM/RAM meters with their figures in words, one meter for a
// CPU-only server, a restart that lost queued jobs (dismissable), and the running job's speed.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import { App } from '../../../renderer/components/App.js';
import { formatBytes, formatRate } from '../../../renderer/format.js';
import { NOW, byText, job, renderApp, server, type Rendered } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

const GB = 1024 ** 3;

test('device and memory meters, the restart notice, the speed of the running job', async () => {
  current = await renderApp(
    {
      version: 1,
      servers: [
        server('a', { health: { device: 'NVIDIA GeForce RTX 4090', deviceType: 'cuda', vramUsed: 22.5 * GB, vramTotal: 24 * GB, ramUsed: 12 * GB, ramTotal: 64 * GB, at: NOW }, restarted: { at: NOW - 60_000, lostJobs: 3 } }),
        server('b', { health: { device: 'CPU', deviceType: 'cpu', vramUsed: 2 * GB, vramTotal: 16 * GB, ramUsed: 2 * GB, ramTotal: 16 * GB, at: NOW }, restarted: { at: NOW, lostJobs: 0 } }),
      ],
      jobs: [job('r', { status: 'running', startedAt: NOW - 10_000, progress: { nodeId: '3', nodeType: 'KSampler', value: 12, max: 30, stepsPerSecond: 7.314 } })],
    },
    <App />,
  );
  const a = byText(current.root, '[aria-label="Servers"] li', 'Server a');
  assert.match(a.textContent!, /NVIDIA GeForce RTX 4090/);
  const meters = [...a.querySelectorAll('[role="meter"]')];
  assert.deepEqual(
    meters.map((m) => [m.getAttribute('aria-label'), m.getAttribute('aria-valuenow'), m.getAttribute('aria-valuetext')]),
    [
      ['VRAM of Server a', '94', '22.5 GB of 24.0 GB used'],
      ['RAM of Server a', '19', '12.0 GB of 64.0 GB used'],
    ],
  );
  assert.ok(meters[0]!.classList.contains('meter--high'), 'nearly full shows as such');
  const b = byText(current.root, '[aria-label="Servers"] li', 'Server b');
  assert.deepEqual([...b.querySelectorAll('[role="meter"]')].map((m) => m.getAttribute('aria-label')), ['RAM of Server b'], 'a CPU server: RAM only');
  assert.equal(b.querySelector('[role="alert"]'), null, 'a restart that lost nothing is not worth a notice');
  const notice = a.querySelector('[role="alert"]')!;
  assert.match(notice.textContent!, /Server restarted at .*: 3 queued jobs were lost/);
  await act(() => byText(notice as HTMLElement, 'button', 'Dismiss').click());
  assert.equal(a.querySelector('[role="alert"]'), null);
  assert.match(current.root.querySelector('.running')!.textContent!, /Speed7\.31 it\/s/);
});

test('formats: binary GB and MB; it/s above one step a second, s/it below', () => {
  assert.equal(formatBytes(24 * GB), '24.0 GB');
  assert.equal(formatBytes(512 * 1024 ** 2), '512 MB');
  assert.equal(formatBytes(128 * GB), '128 GB');
  assert.equal(formatRate(12.345), '12.3 it/s');
  assert.equal(formatRate(1.5), '1.50 it/s');
  assert.equal(formatRate(0.4), '2.50 s/it');
  assert.equal(formatRate(0), '');
});
