// Keeps the tray in step with the app: what the user has not seen yet (failures since the window was last opened),
// when a timed notification pause ends, and how often the tray is redrawn. Electron stays behind TrayView, so all of
// this is tested in Node with a hand-driven clock.
import type { AppSnapshot } from '../shared/ipc-contract.js';
import type { JobStatus } from '../shared/app-state.js';
import { type Cancel, type ShellClock, MAX_TIMER_MS } from './shell-clock.js';
import { trayModel, type TrayIconName, type TrayMenuItem, type TrayModel } from './tray-model.js';

/** What the tray adapter can be told; tray.ts implements it over Electron's Tray. */
export interface TrayView {
  setIcon(icon: TrayIconName): void;
  setToolTip(tooltip: string): void;
  setTitle(title: string): void;
  setMenu(menu: readonly TrayMenuItem[]): void;
  /** Taskbar/dock progress of the window (undefined: none) and the dock badge. */
  setProgress(progress: number | undefined, badgeCount: number): void;
}

export interface TrayControllerDeps {
  readonly view: TrayView;
  snapshot(): AppSnapshot;
  /** Epoch ms, -1 = until resumed, undefined = not paused (the settings' value). */
  notificationsPausedUntil(): number | undefined;
  readonly clock: ShellClock;
  /** Shortest time between two redraws. Default 1 s. */
  readonly minIntervalMs?: number;
}

/** Terminal statuses that ask for the user's attention until they open the window. */
const PROBLEM_STATUSES: ReadonlySet<JobStatus> = new Set(['failed', 'lost']);

export class TrayController {
  private unseenProblems = 0;
  private lastRenderAt = Number.NEGATIVE_INFINITY;
  private cancelRender: Cancel | undefined;
  private cancelPauseEnd: Cancel | undefined;
  /** Set on quit: jobs still ending while the engine stops must not redraw a tray that is going away. */
  private disposed = false;
  /** What the view shows now, so unchanged parts are not applied again. */
  private shown: { icon?: TrayIconName; tooltip?: string; title?: string; menu?: string } = {};

  constructor(private readonly deps: TrayControllerDeps) {}

  /** A finished job: a failure or a lost job is a problem the user has not seen yet. */
  jobFinished(job: { readonly status: JobStatus }): void {
    if (PROBLEM_STATUSES.has(job.status)) this.problem();
  }

  /** A save failure, or anything else the user should look at. */
  problem(): void {
    this.unseenProblems++;
    this.refresh();
  }

  /** The user opened the window: they have seen the problems, the tray stops asking for attention. */
  windowOpened(): void {
    if (this.unseenProblems === 0) return;
    this.unseenProblems = 0;
    this.refresh();
  }

  /**
   * Redraws soon, at most once per interval: the icon moves in 10% steps, and a menu rebuilt thirty times a second
   * would close under the user's pointer.
   */
  refresh(): void {
    if (this.cancelRender || this.disposed) return;
    const wait = Math.max(0, this.lastRenderAt + (this.deps.minIntervalMs ?? 1_000) - this.deps.clock.now());
    this.cancelRender = this.deps.clock.schedule(() => {
      this.cancelRender = undefined;
      this.render();
    }, wait);
  }

  /** Redraws now. */
  render(): void {
    if (this.disposed) return;
    const now = this.deps.clock.now();
    this.lastRenderAt = now;
    const pausedUntil = this.deps.notificationsPausedUntil();
    const model = trayModel({
      snapshot: this.deps.snapshot(),
      unseenProblems: this.unseenProblems,
      now,
      ...(pausedUntil !== undefined && { notificationsPausedUntil: pausedUntil }),
    });
    this.apply(model);
    this.schedulePauseEnd(pausedUntil, now);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelRender?.();
    this.cancelPauseEnd?.();
    this.cancelRender = this.cancelPauseEnd = undefined;
  }

  private apply(model: TrayModel): void {
    const { view } = this.deps;
    if (model.icon !== this.shown.icon) view.setIcon(model.icon);
    if (model.tooltip !== this.shown.tooltip) view.setToolTip(model.tooltip);
    if (model.title !== this.shown.title) view.setTitle(model.title);
    // A new context menu closes the open one under the user's pointer: only when an entry really changed.
    const menu = JSON.stringify(model.menu);
    if (menu !== this.shown.menu) view.setMenu(model.menu);
    // Always: the window it goes to may have been created since the last redraw.
    view.setProgress(model.progress, model.badgeCount);
    this.shown = { icon: model.icon, tooltip: model.tooltip, title: model.title, menu };
  }

  /** Nothing else changes when a timed pause runs out: a timer redraws then, so "paused" does not stay forever. */
  private schedulePauseEnd(until: number | undefined, now: number): void {
    this.cancelPauseEnd?.();
    this.cancelPauseEnd = undefined;
    if (until === undefined || until === -1 || until <= now) return;
    // A timer may fire a little early, or be capped for a far-off end: the redraw then schedules the rest.
    this.cancelPauseEnd = this.deps.clock.schedule(() => {
      this.cancelPauseEnd = undefined;
      this.refresh();
    }, Math.min(until - now, MAX_TIMER_MS));
  }
}
