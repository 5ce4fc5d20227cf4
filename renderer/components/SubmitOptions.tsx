// Where and how to queue: the target server (only connected ones can be picked; the choice is remembered for the
// session), and the options: randomize seeds, repeat N times, queue at the front (not on Comfy Cloud, which schedules
// each user's jobs fairly and ignores it).
import type { ConnectionStateName } from '../../electron/shared/app-state.js';
import { useServices } from '../services.js';

const STATES: Record<ConnectionStateName, string> = {
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  offline: 'offline',
  'auth-failed': 'authentication failed',
  incompatible: 'incompatible',
};

const checked = (event: Event): boolean => (event.currentTarget as HTMLInputElement).checked;

export function SubmitOptions() {
  const { drop, model } = useServices();
  const servers = model.servers.value;
  const target = drop.target.value;
  const form = drop.form.value;
  const repeatError = drop.repeatError.value;
  const locked = drop.submitState.value.status !== 'idle';
  return (
    <div class="submit-options">
      {drop.connected.value.length === 0 ? (
        <p class="submit-options__none" role="status">
          No server is connected. Comfy Tray keeps this file here until one connects.
        </p>
      ) : (
        <div class="field">
          <label for="submit-server">Server</label>
          <select id="submit-server" value={target?.id ?? ''} disabled={locked} onChange={(e) => drop.chooseServer((e.currentTarget as HTMLSelectElement).value)}>
            {!target && (
              <option value="" disabled>
                Choose a server…
              </option>
            )}
            {servers.map((s) => (
              <option key={s.id} value={s.id} disabled={s.state !== 'connected'}>
                {s.state === 'connected' ? s.name : `${s.name} (${STATES[s.state]})`}
              </option>
            ))}
          </select>
        </div>
      )}
      <fieldset class="submit-options__set" disabled={locked}>
        <legend>Options</legend>
        <label class="check">
          <input type="checkbox" checked={form.randomizeSeeds} onChange={(e) => drop.setOptions({ randomizeSeeds: checked(e) })} /> Randomize seeds
          <span class="muted"> ({form.randomizeSeeds ? 'fresh seeds for every run' : 'off: seeds as saved'})</span>
        </label>
        <div class={`field submit-options__repeat${repeatError ? ' field--invalid' : ''}`}>
          <label for="submit-repeat">Repeat</label>
          <input
            id="submit-repeat"
            type="text"
            inputMode="numeric"
            size={5}
            value={form.repeat}
            aria-invalid={repeatError !== undefined}
            aria-describedby={repeatError !== undefined ? 'submit-repeat-error' : undefined}
            onInput={(e) => drop.setOptions({ repeat: (e.currentTarget as HTMLInputElement).value })}
          />
          {repeatError !== undefined && (
            <span id="submit-repeat-error" class="field__error" role="alert">
              {repeatError}
            </span>
          )}
        </div>
        {target?.kind !== 'comfy-cloud' && (
          <label class="check">
            <input type="checkbox" checked={form.front} onChange={(e) => drop.setOptions({ front: checked(e) })} /> Queue at front
          </label>
        )}
      </fieldset>
    </div>
  );
}
