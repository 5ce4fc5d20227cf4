// The Servers section: every configured server in a list (its connection state as a dot and in words, its kind when
// it is not a ComfyUI, its address), one Add button per kind, and the editor of the one selected. A server with a
// problem in its fields says so in the list.
import type { ServerView } from '../../../electron/shared/app-state.js';
import { KIND_NAMES, serverStateText } from '../../format.js';
import { displayUrl, type ServerForm } from '../../models/settings-model.js';
import { useServices } from '../../services.js';
import { ServerEditor } from './ServerEditor.js';

function statusOf(server: ServerForm, live: ServerView | undefined, now: number): { state: string; text: string } {
  if (!server.enabled) return { state: 'off', text: 'Not followed' };
  if (!live) return { state: 'new', text: 'Not saved yet' };
  // Connected but not fully (followed by polling, or its job lists failing): the dot says so too.
  const partly = live.state === 'connected' && (live.degraded !== undefined || live.problem !== undefined);
  return { state: partly ? 'degraded' : live.state, text: serverStateText(live, now) };
}

export function ServersSection() {
  const { settings, model, clock } = useServices();
  const form = settings.form.value;
  if (!form) return null;
  const selected = form.servers.find((server) => server.key === settings.selectedServer.value) ?? form.servers[0];
  const errors = settings.errors.value;
  const secretStorage = settings.saved.value?.secretStorage;
  const live = new Map(model.servers.value.map((server) => [server.id, server]));
  return (
    <>
      {secretStorage?.persisted === false && (
        <p class="settings__message settings__message--warning" role="note">
          {secretStorage.reason ?? 'No secure storage is available'}: passwords and tokens are kept only until the app quits.
        </p>
      )}
      <div class="servers-pane">
        <div class="server-picker">
          <ul class="server-picker__list" aria-label="Configured servers">
            {form.servers.map((server) => {
              const status = statusOf(server, live.get(server.id), clock.now.value);
              const problems = Object.keys(errors).some((field) => field.startsWith(`servers.${server.key}.`));
              const current = server.key === selected?.key;
              const name = server.name.trim() || 'Unnamed server';
              // A hosted kind is named beside a name that does not already say it.
              const kind = server.kind !== 'comfyui' && name !== KIND_NAMES[server.kind] ? KIND_NAMES[server.kind] : undefined;
              return (
                <li key={server.key}>
                  <button
                    type="button"
                    class={`server-picker__item${current ? ' server-picker__item--current' : ''}`}
                    aria-current={current ? 'true' : undefined}
                    aria-label={`${name}${kind ? ` (${kind})` : ''}: ${status.text}${problems ? ', has problems' : ''}`}
                    onClick={() => (settings.selectedServer.value = server.key)}
                  >
                    <span class={`status-dot status-dot--${status.state}`} aria-hidden="true" />
                    <span class="server-picker__text">
                      <span class="server-picker__name">
                        {name}
                        {kind && <span class="server-picker__kind">{kind}</span>}
                      </span>
                      <span class="server-picker__url">{displayUrl(server.url)}</span>
                      <span class="server-picker__state">
                        {status.text}
                        {problems && <span class="server-picker__problem"> · check its fields</span>}
                      </span>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
          <div class="server-picker__adds" role="group" aria-label="Add a server">
            <button type="button" class="button server-picker__add" onClick={() => settings.addServer()}>
              Add server
            </button>
            <button type="button" class="button server-picker__add" onClick={() => settings.addServer({ kind: 'comfy-cloud' })}>
              Add Comfy Cloud
            </button>
            <button type="button" class="button server-picker__add" onClick={() => settings.addServer({ kind: 'comfycontrol' })}>
              Add ComfyControl
            </button>
          </div>
          {errors.servers && <p class="form-row__error">{errors.servers}</p>}
        </div>
        {selected ? (
          <ServerEditor key={selected.key} server={selected} global={form.notifications.kinds} />
        ) : (
          <p class="server-editor server-editor--empty">No server yet: add one to follow its jobs.</p>
        )}
      </div>
    </>
  );
}
