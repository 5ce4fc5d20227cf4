// The tray as the user sees it over time: attention until the window is opened, a timed pause that ends by itself,
// at most one redraw a second, and the context menu replaced only when one of its entries changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView, ServerView } from '../../electron/shared/app-state.js';
import type { AppSnapshot } from '../../electron/shared/ipc-contract.js';
import { TrayController, type TrayView } from '../../electron/shell/tray-controller.js';
import type { TrayIconName, TrayMenuItem } from '../../electron/shell/tray-model.js';
import { FakeClock } from './fake-clock.js';

const HOUR = 60 * 60 * 1000;
const START = 1_700_000_000_000;
const connected: ServerView = { id: 'a', name: 'a', url: 'http://a/', state: 'connected' };
const running = (overall: number): JobView => ({ serverId: 'a', id: 'job-1', status: 'running', submittedBy: 'other', outputs: [], progress: { overall } });

class RecordingView implements TrayView {
  icon: TrayIconName | undefined;
  tooltip = '';
  menu: readonly TrayMenuItem[] = [];
  progress: number | undefined;
  readonly calls: string[] = [];
  setIcon(icon: TrayIconName): void {
    this.icon = icon;
    this.calls.push(`icon ${icon}`);
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
    this.calls.push('tooltip');
  }
  setTitle(): void {
    this.calls.push('title');
  }
  setMenu(menu: readonly TrayMenuItem[]): void {
    this.menu = menu;
    this.calls.push('menu');
  }
  setProgress(progress: number | undefined): void {
    this.progress = progress;
    this.calls.push('progress');
  }
  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}

function labels(items: readonly TrayMenuItem[]): string[] {
  return items.flatMap((item) => (item.kind === 'submenu' ? [item.label, ...labels(item.items)] : item.kind === 'separator' ? [] : [item.label]));
}

function setup(options: { pausedUntil?: number; jobs?: JobView[] } = {}) {
  const clock = new FakeClock(START);
  const view = new RecordingView();
  const state = { snapshot: { version: 1, servers: [connected], jobs: options.jobs ?? [] } as AppSnapshot, pausedUntil: options.pausedUntil };
  const controller = new TrayController({ view, clock, snapshot: () => state.snapshot, notificationsPausedUntil: () => state.pausedUntil });
  return { clock, view, state, controller };
}

test('a failed job asks for attention until the window is opened; opening it clears the icon without any other change', () => {
  const { clock, view, controller } = setup();
  controller.render();
  assert.equal(view.icon, 'idle');
  controller.jobFinished({ status: 'completed' });
  clock.advance(1_000);
  assert.equal(view.icon, 'idle', 'a success is nothing to look at');
  controller.jobFinished({ status: 'failed' });
  clock.advance(1_000);
  assert.equal(view.icon, 'attention');
  controller.problem();
  clock.advance(1_000);
  assert.equal(view.icon, 'attention');
  // No patch, no settings change: the window opening alone must redraw the tray.
  controller.windowOpened();
  clock.advance(1_000);
  assert.equal(view.icon, 'idle');
  controller.dispose();
});

test('a one-hour pause ends by itself: the tray redraws when it ends, with "Pause" back in the menu', () => {
  const { clock, view, controller } = setup({ pausedUntil: START + HOUR });
  controller.render();
  assert.equal(view.icon, 'paused');
  assert.ok(labels(view.menu).includes('Resume notifications'));
  clock.advance(HOUR - 1);
  assert.equal(view.icon, 'paused', 'still paused a millisecond before the end');
  clock.advance(1);
  assert.equal(view.icon, 'idle');
  assert.ok(labels(view.menu).includes('For 1 hour'));
  assert.ok(!labels(view.menu).includes('Resume notifications'));
  assert.doesNotMatch(view.tooltip, /Notifications paused/);
  assert.equal(clock.pending, 0, 'nothing left scheduled');
});

test('a pause until resumed, or one already over, schedules nothing', () => {
  for (const pausedUntil of [-1, START - 1]) {
    const { clock, controller } = setup({ pausedUntil });
    controller.render();
    assert.equal(clock.pending, 0);
  }
});

test('a pause changed in the settings replaces the timer of the previous one', () => {
  const { clock, view, state, controller } = setup({ pausedUntil: START + HOUR });
  controller.render();
  state.pausedUntil = START + 2 * HOUR;
  controller.refresh();
  clock.advance(HOUR);
  assert.equal(view.icon, 'paused');
  assert.equal(clock.pending, 1, 'one timer, for the new end');
  clock.advance(HOUR);
  assert.equal(view.icon, 'idle');
});

test('redraws at most once a second however many changes arrive', () => {
  const { clock, view, state, controller } = setup({ jobs: [running(0.1)] });
  for (let i = 0; i < 30; i++) {
    state.snapshot = { ...state.snapshot, version: i, jobs: [running(0.1 + i / 100)] };
    controller.refresh();
  }
  clock.advance(0);
  assert.equal(view.count('progress'), 1);
  controller.refresh();
  clock.advance(999);
  assert.equal(view.count('progress'), 1, 'not again within the second');
  clock.advance(1);
  assert.equal(view.count('progress'), 2);
});

test('the context menu is replaced only when an entry changed (not every second while a job runs)', () => {
  const { view, state, controller } = setup({ jobs: [running(0.371)] });
  controller.render();
  assert.equal(view.count('menu'), 1);
  // Progress moved, but not by a whole percent: the labels are the same, only the taskbar progress changes.
  state.snapshot = { ...state.snapshot, jobs: [running(0.374)] };
  controller.render();
  controller.render();
  assert.equal(view.count('menu'), 1);
  assert.equal(view.count('icon running-3'), 1, 'the icon is not reloaded either');
  assert.equal(view.progress, 0.374);
  state.snapshot = { ...state.snapshot, jobs: [running(0.38)] };
  controller.render();
  assert.equal(view.count('menu'), 2);
  assert.ok(labels(view.menu).some((label) => label.endsWith('38%')));
});

test('after dispose (quitting), jobs still ending while the engine stops redraw nothing', () => {
  const { clock, view, controller } = setup();
  controller.render();
  const before = view.calls.length;
  controller.dispose();
  controller.jobFinished({ status: 'failed' });
  controller.problem();
  controller.refresh();
  controller.render();
  clock.advance(10_000);
  assert.equal(view.calls.length, before);
  assert.equal(view.icon, 'idle');
});
