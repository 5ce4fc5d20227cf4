// One server at the top of the window: its connection state (with the retry countdown), version and counts.
import type { ServerView } from '../../electron/shared/app-state.js';
import { serverStateText } from '../format.js';
import { useServices } from '../services.js';

export interface ServerCounts {
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
}

export function ServerCard({ server, counts }: { readonly server: ServerView; readonly counts: ServerCounts }) {
  const { clock } = useServices();
  // Only a countdown needs the ticking clock; other cards do not re-render every second.
  const now = server.state === 'reconnecting' && server.nextRetryAt !== undefined ? clock.now.value : 0;
  return (
    <li class={`server server--${server.state}`} aria-label={`${server.name}: ${serverStateText(server, now)}`}>
      <div class="server__head">
        <span class="server__dot" aria-hidden="true" />
        <span class="server__name">{server.name}</span>
        {server.version && <span class="server__version">ComfyUI {server.version}</span>}
      </div>
      <div class="server__state">{serverStateText(server, now)}</div>
      {server.lastError && server.state !== 'connected' && <div class="server__error">{server.lastError.message}</div>}
      <div class="server__counts">
        {counts.running} running · {counts.pending} pending{counts.failed > 0 ? ` · ${counts.failed} failed` : ''}
      </div>
    </li>
  );
}
