// One server at the top of the window: its kind, its connection state (with the retry countdown, or that it follows
// by polling), version, counts and health, and its actions: pause or resume its queue (ComfyUI only), open its web UI,
// clear its pending jobs (after an inline confirmation); for ComfyControl, which has neither, following a run by its id.
import type { JobView, ServerView } from '../../electron/shared/app-state.js';
import { pauseQueue, resumeQueue } from '../models/steer-actions.js';
import { PauseIcon, PlayIcon } from './icons.js';
import { useEffect, useRef } from 'preact/hooks';
import { KIND_NAMES, formatWhen, serverStateText } from '../format.js';
import { useSignal } from '@preact/signals';
import { ServerHealth } from './ServerHealth.js';
import { useServices } from '../services.js';
import { ConfirmButton } from './ConfirmButton.js';
import { FollowRun } from './FollowRun.js';

export interface ServerCounts {
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
}

export function ServerCard({ server, counts }: { readonly server: ServerView; readonly counts: ServerCounts }) {
  const { api, clock, feedback, model } = useServices();
  // Only a countdown needs the ticking clock; other cards do not re-render every second.
  const now = server.state === 'reconnecting' && server.nextRetryAt !== undefined ? clock.now.value : 0;
  const { id, name } = server;
  const kind = server.kind ?? 'comfyui';
  const openWebUi = (): void => void feedback.runAction(`Opening the web UI of ${name}…`, () => api.openServerWebUi(id), () => `Opened the web UI of ${name}`);
  const webUi = useRef<HTMLButtonElement>(null);
  const hadPending = useRef(counts.pending > 0);
  useEffect(() => {
    // Clear pending vanishes with the last pending job; if it had the focus, keep the focus in this card.
    const active = document.activeElement;
    if (hadPending.current && counts.pending === 0 && (!active || active === document.body || !active.isConnected)) webUi.current?.focus();
    hadPending.current = counts.pending > 0;
  }, [counts.pending]);
  const clearPending = (): void => void feedback.runAction(`Clearing the pending jobs of ${name}…`, () => api.clearPending(id), () => `${name}: pending jobs cleared`);
  const waiting = (): JobView[] => model.allLists.peek().pending.map((entry) => entry.job.peek()).filter((job) => job.serverId === id);
  const paused = server.queuePaused === true;
  const dismissedRestart = useSignal<number | undefined>(undefined);
  const held = server.heldJobs ?? 0;
  const togglePause = (): void =>
    void (paused ? resumeQueue(api, feedback, id, name, waiting()) : pauseQueue(api, feedback, id, name, waiting()));
  return (
    <li class={`server server--${server.state}`} aria-label={`${name}: ${serverStateText(server, now)}`}>
      <div class="server__head">
        <span class="server__dot" aria-hidden="true" />
        <span class="server__name">{name}</span>
        {kind !== 'comfyui' && name !== KIND_NAMES[kind] && <span class="server__kind">{KIND_NAMES[kind]}</span>}
        {server.version && <span class="server__version">ComfyUI {server.version}</span>}
      </div>
      <div class="server__state">{serverStateText(server, now)}</div>
      {server.degraded && server.state === 'connected' && (
        <div class="server__note" role="status">
          {server.degraded.message}
        </div>
      )}
      {server.lastError && server.state !== 'connected' && <div class="server__error">{server.lastError.message}</div>}
      {server.problem && server.state === 'connected' && (
        <div class="server__error" role="status">
          {server.problem.message}
        </div>
      )}
      <div class="server__counts">
        {counts.running} running · {counts.pending} pending{counts.failed > 0 ? ` · ${counts.failed} failed` : ''}
      </div>
      {server.health && <ServerHealth health={server.health} server={name} />}
      {server.restarted && server.restarted.lostJobs > 0 && dismissedRestart.value !== server.restarted.at && (
        <div class="server__restarted" role="alert">
          <span>
            Server restarted at {formatWhen(server.restarted.at, clock.now.peek())}: {server.restarted.lostJobs === 1 ? '1 queued job was' : `${server.restarted.lostJobs} queued jobs were`} lost
          </span>
          <button type="button" class="button button--small" onClick={() => (dismissedRestart.value = server.restarted?.at)} aria-label={`Dismiss: ${name} restarted`}>
            Dismiss
          </button>
        </div>
      )}
      {paused && (
        <div class="server__paused" role="note">
          Queue paused by Comfy Tray · {held === 1 ? '1 job held' : `${held} jobs held`}
        </div>
      )}
      <div class="server__actions">
        {(paused || server.steeringUnavailable === undefined) && (
          <button
            type="button"
            class={`button button--small button--with-icon${paused ? ' button--primary' : ''}`}
            onClick={togglePause}
            disabled={!paused && server.state !== 'connected'}
            aria-label={paused ? `Resume the queue of ${name}` : `Pause the queue of ${name}`}
            title={paused ? 'Queue the held jobs again, in their order' : 'Let the running job finish and hold every waiting job until you resume'}
          >
            {paused ? <PlayIcon /> : <PauseIcon />}
            <span class="button__text">{paused ? 'Resume queue' : 'Pause queue'}</span>
          </button>
        )}
        {kind !== 'comfycontrol' && (
          <button ref={webUi} type="button" class="button button--small" onClick={openWebUi} aria-label={`Open the web UI of ${name}`}>
            Web UI
          </button>
        )}
        {counts.pending > 0 && kind !== 'comfycontrol' && (
          <ConfirmButton
            text="Clear pending"
            label={`Clear pending jobs on ${name}`}
            question={`Remove ${counts.pending === 1 ? 'the pending job' : `all ${counts.pending} pending jobs`} on ${name}?`}
            onConfirm={clearPending}
            small
          />
        )}
      </div>
      {kind === 'comfycontrol' && <FollowRun serverId={id} name={name} />}
    </li>
  );
}
