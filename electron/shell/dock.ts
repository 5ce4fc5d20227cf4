// No dock icon on macOS while only the tray runs, but one while the window is on screen: the dock badge and the
// dock's progress bar (setProgressBar) only exist while the dock icon does, and a minimized window lives there.

export interface WindowPresence {
  readonly visible: boolean;
  readonly minimized: boolean;
}

/** undefined: no window yet (or it was destroyed). */
export function dockWanted(window: WindowPresence | undefined): boolean {
  return window !== undefined && (window.visible || window.minimized);
}

/** The part of Electron's `app.dock` used here; absent on Windows and Linux. */
export interface DockLike {
  show(): Promise<void> | void;
  hide(): void;
}

/** Shows or hides the dock icon when the window's presence changes it, and only then. */
export class DockSync {
  private shown: boolean | undefined;

  constructor(private readonly dock: DockLike | undefined) {}

  /** Resolves once the dock icon is shown, so the window can be focused after it (macOS activates the app then). */
  async update(window: WindowPresence | undefined): Promise<void> {
    if (!this.dock) return;
    const want = dockWanted(window);
    if (want === this.shown) return;
    this.shown = want;
    if (want) await this.dock.show();
    else this.dock.hide();
  }
}
