import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTrayAction, type TrayCommands } from '../../electron/shell/tray-actions.js';
import { pausedQueuesNotice, trayModel, type TrayMenuItem, type TrayState } from '../../electron/shell/tray-model.js';
import type { JobView, ServerView } from '../../electron/shared/app-state.js';

const NOW = 1_000_000;
const server = (id: string, state: ServerView['state'], extra: Partial<ServerView> = {}): ServerView => ({ id, name: id, url: `http://${id}/`, state, ...extra });
const job = (serverId: string, id: string, status: JobView['status'], extra: Partial<JobView> = {}): JobView => ({ serverId, id, status, submittedBy: 'other', outputs: [], ...extra });
const state = (servers: ServerView[], jobs: JobView[] = [], extra: Partial<TrayState> = {}): TrayState => ({ snapshot: { version: 1, servers, jobs }, unseenProblems: 0, now: NOW, ...extra });

function labels(items: readonly TrayMenuItem[]): string[] {
  return items.flatMap((item) => (item.kind === 'submenu' ? [item.label, ...labels(item.items)] : item.kind === 'separator' ? [] : [item.label]));
}

test('idle: all connected, nothing running; the tooltip and menu say so, and the submenu names the ComfyUI version', () => {
  const model = trayModel(state([server('a', 'connected', { version: '0.28.0' })]));
  assert.equal(model.icon, 'idle');
  assert.equal(model.title, '');
  assert.equal(model.badgeCount, 0);
  assert.equal(model.progress, undefined);
  assert.equal(model.tooltip, 'Comfy Tray\na: idle');
  assert.deepEqual(labels(model.menu), [
    'a: idle',
    'connected, ComfyUI 0.28.0',
    'Nothing running',
    '0 waiting',
    'Pause queue',
    'Clear pending jobs…',
    'Open web UI',
    'Open output folder',
    'Open Comfy Tray',
    'Open workflow…',
    'Pause notifications',
    'For 1 hour',
    'Until resumed',
    'Settings…',
    'Quit Comfy Tray',
  ]);
  const a = model.menu[0];
  assert.ok(a?.kind === 'submenu');
  assert.ok(a.items.some((item) => item.kind === 'action' && item.action.type === 'clear-pending' && item.enabled === false), 'nothing to clear');
  assert.ok(!a.items.some((item) => item.kind === 'action' && item.action.type === 'cancel-job'), 'nothing to cancel');
});

test('one of three servers running at 37%: progress icon in 10% steps, tooltip, title, badge, cancel in its submenu', () => {
  const model = trayModel(
    state(
      [server('a', 'connected'), server('b', 'connected'), server('c', 'offline', { nextRetryAt: NOW + 12_000 })],
      [job('b', 'r', 'running', { progress: { overall: 0.37 } }), job('b', 'p1', 'pending'), job('b', 'p2', 'pending')],
    ),
  );
  assert.equal(model.icon, 'running-3');
  assert.equal(model.title, '37% · 2');
  assert.equal(model.progress, 0.37);
  assert.equal(model.badgeCount, 3);
  assert.match(model.tooltip, /b: running 37%, 2 queued/);
  assert.match(model.tooltip, /c: offline, retrying in 12 s/);
  const b = model.menu.find((item) => item.kind === 'submenu' && item.label.startsWith('b:'));
  assert.ok(b && b.kind === 'submenu');
  assert.ok(b.items.some((item) => item.kind === 'action' && item.action.type === 'cancel-job' && item.action.jobId === 'r'));
  assert.ok(b.items.some((item) => item.kind === 'action' && item.action.type === 'clear-pending' && item.enabled === true));
  assert.deepEqual(
    labels(b.items).filter((l) => /web UI|output folder/.test(l)),
    ['Open web UI', 'Open output folder'],
  );
});

test('an unseen failure asks for attention, above running and above offline servers', () => {
  assert.equal(trayModel(state([server('a', 'connected')], [job('a', 'r', 'running', { progress: { overall: 0.5 } })], { unseenProblems: 1 })).icon, 'attention');
  assert.equal(trayModel(state([server('a', 'offline')], [], { unseenProblems: 2 })).icon, 'attention');
});

test('all servers offline shows offline', () => {
  assert.equal(trayModel(state([server('a', 'offline'), server('b', 'reconnecting')])).icon, 'offline');
});

test('one of three servers offline, nothing running: the offline icon and a tooltip heading that counts it (not idle)', () => {
  const model = trayModel(state([server('a', 'connected'), server('b', 'connected'), server('c', 'offline', { nextRetryAt: NOW + 5_000 })]));
  assert.equal(model.icon, 'offline');
  assert.equal(model.tooltip.split('\n')[0], 'Comfy Tray: 1 of 3 servers unavailable');
  assert.match(model.tooltip, /c: offline, retrying in 5 s/);
  assert.ok(labels(model.menu).includes('c: offline, retrying in 5 s'), 'its submenu says it too');
});

test('an auth failure groups with offline (a server that cannot be used), not with attention', () => {
  const alone = trayModel(state([server('a', 'auth-failed')]));
  assert.equal(alone.icon, 'offline');
  assert.match(alone.tooltip, /a: sign-in failed: check the credentials/);
  const amongOthers = trayModel(state([server('a', 'auth-failed'), server('b', 'connected')]));
  assert.equal(amongOthers.icon, 'offline');
  assert.match(amongOthers.tooltip, /^Comfy Tray: 1 of 2 servers unavailable/);
  assert.equal(trayModel(state([server('a', 'incompatible'), server('b', 'connected')])).icon, 'offline');
});

test('a server only connecting or briefly reconnecting among connected ones leaves the icon idle', () => {
  const model = trayModel(state([server('a', 'connected'), server('b', 'reconnecting'), server('c', 'connecting')]));
  assert.equal(model.icon, 'idle');
  assert.equal(model.tooltip.split('\n')[0], 'Comfy Tray');
});

test('paused notifications: paused icon when idle, "Resume" in the menu; the pause ends by itself', () => {
  const paused = trayModel(state([server('a', 'connected')], [], { notificationsPausedUntil: NOW + 60_000 }));
  assert.equal(paused.icon, 'paused');
  assert.ok(labels(paused.menu).includes('Resume notifications'));
  assert.match(paused.tooltip, /Notifications paused/);
  const over = trayModel(state([server('a', 'connected')], [], { notificationsPausedUntil: NOW - 1 }));
  assert.equal(over.icon, 'idle');
  assert.ok(labels(over.menu).includes('For 1 hour'));
  assert.equal(trayModel(state([server('a', 'connected')], [], { notificationsPausedUntil: -1 })).icon, 'paused');
});

test('Quit is always the last entry and always enabled, whatever the state', () => {
  for (const s of [state([]), state([server('a', 'auth-failed')]), state([server('a', 'connected')], [job('a', 'r', 'running')])]) {
    const last = trayModel(s).menu.at(-1);
    assert.ok(last && last.kind === 'action' && last.action.type === 'quit' && last.enabled !== false);
  }
});

function fakeCommands(overrides: Partial<TrayCommands> = {}): { commands: TrayCommands; calls: string[] } {
  const calls: string[] = [];
  const commands: TrayCommands = {
    showWindow: (view) => calls.push(`show ${view}`),
    pickWorkflowFiles: async () => calls.push('pick workflow'),
    cancelJob: async (s, j) => calls.push(`cancel ${s} ${j}`),
    confirm: async () => true,
    clearPending: async (s) => calls.push(`clear ${s}`),
    pauseQueue: async (s) => calls.push(`pause queue ${s}`),
    resumeQueue: async (s) => calls.push(`resume queue ${s}`),
    serverWebUrl: (s) => `http://${s}:8188/`,
    outputFolder: () => '/out',
    openExternal: async (u) => calls.push(`open ${u}`),
    openFolder: async (p) => calls.push(`folder ${p}`),
    pauseNotifications: async (until) => calls.push(`pause ${until}`),
    resumeNotifications: async () => calls.push('resume'),
    quit: () => calls.push('quit'),
    now: () => NOW,
    reportError: (m) => calls.push(`error ${m}`),
    ...overrides,
  };
  return { commands, calls };
}

test('menu actions call the right commands', async () => {
  const { commands, calls } = fakeCommands();
  await runTrayAction({ type: 'open-window' }, commands);
  await runTrayAction({ type: 'cancel-job', serverId: 'b', jobId: 'r' }, commands);
  await runTrayAction({ type: 'clear-pending', serverId: 'b' }, commands);
  await runTrayAction({ type: 'open-web-ui', serverId: 'b' }, commands);
  await runTrayAction({ type: 'open-output-folder', serverId: 'b' }, commands);
  await runTrayAction({ type: 'pause-notifications', forMs: 3_600_000 }, commands);
  await runTrayAction({ type: 'pause-notifications', forMs: 'until-resumed' }, commands);
  await runTrayAction({ type: 'resume-notifications' }, commands);
  await runTrayAction({ type: 'open-settings' }, commands);
  await runTrayAction({ type: 'open-workflow' }, commands);
  await runTrayAction({ type: 'pause-queue', serverId: 'b' }, commands);
  await runTrayAction({ type: 'resume-queue', serverId: 'b' }, commands);
  await runTrayAction({ type: 'quit' }, commands);
  assert.deepEqual(calls, ['show queue', 'cancel b r', 'clear b', 'open http://b:8188/', 'folder /out', `pause ${NOW + 3_600_000}`, 'pause -1', 'resume', 'show settings', 'pick workflow', 'pause queue b', 'resume queue b', 'quit']);
});

test('Open workflow… is offered once a server is configured', () => {
  const entry = (s: TrayState) => trayModel(s).menu.find((item) => item.kind === 'action' && item.action.type === 'open-workflow');
  const none = entry(state([]));
  const some = entry(state([server('a', 'connected')]));
  assert.ok(none?.kind === 'action' && none.enabled === false);
  assert.ok(some?.kind === 'action' && some.enabled === true);
});

test('clearing pending jobs asks first; a failing command is reported, not thrown', async () => {
  const { commands, calls } = fakeCommands({ confirm: async () => false, cancelJob: async () => Promise.reject(new Error('server gone')) });
  await runTrayAction({ type: 'clear-pending', serverId: 'b' }, commands);
  await runTrayAction({ type: 'cancel-job', serverId: 'b', jobId: 'r' }, commands);
  assert.deepEqual(calls, ['error server gone']);
});

test('a paused queue: the tooltip and the submenu say how many jobs are held, Resume replaces Pause, the icon is paused', () => {
  const paused = server('a', 'connected', { queuePaused: true, heldJobs: 3 });
  const model = trayModel(state([paused], [job('a', 'h1', 'pending', { held: true }), job('a', 'h2', 'pending', { held: true })]));
  assert.equal(model.icon, 'paused');
  assert.equal(model.tooltip, 'Comfy Tray\na: idle, queue paused, 3 jobs held');
  const menu = model.menu[0];
  assert.ok(menu?.kind === 'submenu');
  assert.ok(menu.items.some((item) => item.kind === 'action' && item.action.type === 'resume-queue' && item.label === 'Resume queue (3 jobs held)'));
  assert.ok(!menu.items.some((item) => item.kind === 'action' && item.action.type === 'pause-queue'));
  // Offline and paused: both are said.
  assert.match(trayModel(state([server('a', 'offline', { queuePaused: true, heldJobs: 1 })])).tooltip, /a: offline; queue paused, 1 job held/);
  // Pause is offered only while connected (it must reach the server).
  const offline = trayModel(state([server('a', 'offline')])).menu[0];
  assert.ok(offline?.kind === 'submenu' && offline.items.some((item) => item.kind === 'action' && item.action.type === 'pause-queue' && item.enabled === false));
});

test('a queue that cannot be steered (a hosted service) offers no Pause; a listing problem and a paused queue are both said', () => {
  const cloud = trayModel(state([server('c', 'connected', { kind: 'comfy-cloud', steeringUnavailable: 'Comfy Cloud schedules your jobs itself' })])).menu[0];
  assert.ok(cloud?.kind === 'submenu');
  assert.ok(!cloud.items.some((item) => item.kind === 'action' && (item.action.type === 'pause-queue' || item.action.type === 'resume-queue')));
  const both = server('a', 'connected', { queuePaused: true, heldJobs: 1, problem: { code: 'COMFY_HTTP_STATUS', message: 'cannot list jobs: HTTP 500 from http://a/api/jobs', since: 0 } });
  assert.match(trayModel(state([both])).tooltip, /a: cannot list jobs, idle, queue paused, 1 job held/);
});

test('at start, queues left paused are said once, with their held jobs; nothing when none is', () => {
  assert.equal(pausedQueuesNotice([server('a', 'connecting')]), undefined);
  assert.equal(
    pausedQueuesNotice([server('a', 'connecting', { queuePaused: true, heldJobs: 12 }), server('b', 'connecting'), server('c', 'connecting', { queuePaused: true, heldJobs: 1 })]),
    'Queue still paused: a (12 jobs held), c (1 job held). Nothing new runs there until you resume it from the window or the tray menu.',
  );
});
