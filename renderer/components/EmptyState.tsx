// Empty states that say what to do next rather than showing a blank window.
import type { ServerView } from '../../electron/shared/app-state.js';
import { NoServerState } from './NoServerState.js';

export type EmptyKind = 'no-server' | 'offline' | 'nothing-yet' | 'no-match';

export function emptyKind(servers: readonly ServerView[], total: number, shown: number): EmptyKind | undefined {
  if (servers.length === 0) return 'no-server';
  if (shown > 0) return undefined;
  if (total > 0) return 'no-match';
  return servers.every((s) => s.state !== 'connected') ? 'offline' : 'nothing-yet';
}

export function EmptyState({ kind, onClearFilters }: { readonly kind: EmptyKind; readonly onClearFilters: () => void }) {
  switch (kind) {
    case 'no-server':
      return <NoServerState />;
    case 'offline':
      return (
        <section class="empty" aria-labelledby="empty-title">
          <h2 id="empty-title">Can’t reach your server</h2>
          <ul>
            <li>Is ComfyUI running? Its console shows “To see the GUI go to: …”.</li>
            <li>Does the address in Settings match, including http or https and any path prefix?</li>
            <li>On another machine, was ComfyUI started with <code>--listen</code>, and does the firewall let it through?</li>
          </ul>
          <p>Comfy Tray keeps retrying on its own.</p>
        </section>
      );
    case 'nothing-yet':
      return (
        <section class="empty" aria-labelledby="empty-title">
          <h2 id="empty-title">Nothing queued yet</h2>
          <p>Queue a prompt in ComfyUI (from any browser or script): it shows up here as it waits, runs and finishes.</p>
          <p>Or drop a workflow file onto this window (a workflow JSON, or an image or video that carries its workflow) to queue it.</p>
        </section>
      );
    case 'no-match':
      return (
        <section class="empty" aria-labelledby="empty-title">
          <h2 id="empty-title">No job matches</h2>
          <button type="button" class="button" onClick={onClearFilters}>
            Clear filters
          </button>
        </section>
      );
  }
}
