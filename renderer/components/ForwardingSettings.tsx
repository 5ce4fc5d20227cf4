// Forwarding in the Notifications settings: each target (ntfy, a webhook, Discord, Slack) with its own switch, the
// kinds it receives and a "Send test" button. A stored secret is never shown, only that one is kept.
import { useServices } from '../services.js';
import {
  FORWARD_EVENT_NAMES,
  FORWARD_EVENTS,
  FORWARD_KIND_NAMES,
  keepsTargetSecret,
  SECRET_FIELD,
  urlIsSecret,
  type ForwardKindName,
  type ForwardTargetForm,
  type ForwardTestState,
} from '../models/forwarding-model.js';

const KINDS: readonly ForwardKindName[] = ['ntfy', 'webhook', 'discord', 'slack'];

const URL_FIELD: Readonly<Record<'ntfy' | 'webhook', { label: string; hint: string }>> = {
  ntfy: { label: 'ntfy server', hint: 'https://ntfy.sh or your own server; subscribe to the topic in the ntfy app' },
  webhook: { label: 'Webhook URL', hint: 'Receives a JSON POST per notification (see the README for its fields)' },
};

const value = (e: Event): string => (e.currentTarget as HTMLInputElement).value;
const checked = (e: Event): boolean => (e.currentTarget as HTMLInputElement).checked;

function TextField(props: { id: string; label: string; value: string; error?: string | undefined; hint?: string | undefined; type?: 'text' | 'url' | 'password'; placeholder?: string; onInput: (text: string) => void }) {
  const described = [props.error ? `${props.id}-error` : '', props.hint ? `${props.id}-hint` : ''].filter(Boolean).join(' ');
  const aria = { ...(props.error && { 'aria-invalid': true }), ...(described && { 'aria-describedby': described }) };
  return (
    <div class={`field${props.error ? ' field--invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.type === 'password' ? (
        <input id={props.id} type="password" autocomplete="new-password" value={props.value} placeholder={props.placeholder ?? ''} onInput={(e) => props.onInput(value(e))} {...aria} />
      ) : props.type === 'url' ? (
        <input id={props.id} type="url" autocomplete="off" spellcheck={false} value={props.value} onInput={(e) => props.onInput(value(e))} {...aria} />
      ) : (
        <input id={props.id} type="text" autocomplete="off" spellcheck={false} value={props.value} onInput={(e) => props.onInput(value(e))} {...aria} />
      )}
      {props.hint && (
        <span class="field__hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span class="field__error" id={`${props.id}-error`} role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}

function TestOutcome({ state }: { state: ForwardTestState | undefined }) {
  if (state?.status !== 'done') return null;
  const { result } = state;
  return result.ok ? (
    <p class="test-result test-result--ok" role="status">
      Sent: check that it arrived.
    </p>
  ) : (
    <p class="test-result test-result--error" role="status">
      Failed ({result.code}): {result.message}
    </p>
  );
}

function TargetEditor({ target }: { target: ForwardTargetForm }) {
  const { settings } = useServices();
  const errors = settings.errors.value;
  const test = settings.forwardTests.value[target.key];
  const id = (field: string): string => `forward-${target.key}-${field}`;
  const err = (field: string): string | undefined => errors[`forwarding.${target.key}.${field}`];
  const edit = (change: Partial<ForwardTargetForm>): void => settings.editTarget(target.key, change);
  const secret = SECRET_FIELD[target.kind];
  const kept = keepsTargetSecret(target);
  const invalid = Object.keys(errors).some((field) => field.startsWith(`forwarding.${target.key}.`));
  return (
    <fieldset class="server-settings forward-target">
      <legend>
        {target.name || 'Unnamed target'} ({FORWARD_KIND_NAMES[target.kind]})
      </legend>
      <label class="check">
        <input type="checkbox" checked={target.enabled} onChange={(e) => edit({ enabled: checked(e) })} /> Send to this target
      </label>
      <TextField id={id('name')} label="Name" value={target.name} error={err('name')} onInput={(name) => edit({ name })} />
      {!urlIsSecret(target.kind) && (
        <TextField
          id={id('url')}
          label={URL_FIELD[target.kind as 'ntfy' | 'webhook'].label}
          type="url"
          value={target.url}
          error={err('url')}
          hint={URL_FIELD[target.kind as 'ntfy' | 'webhook'].hint}
          onInput={(url) => edit({ url })}
        />
      )}
      {target.kind === 'ntfy' && <TextField id={id('topic')} label="Topic" value={target.topic} error={err('topic')} hint="Anyone who knows the topic can read it: pick one hard to guess" onInput={(topic) => edit({ topic })} />}
      <TextField
        id={id('secret')}
        label={secret.label}
        type="password"
        value={target.secret}
        error={err('secret')}
        hint={kept ? 'Saved — leave empty to keep it' : urlIsSecret(target.kind) ? `Paste the incoming-webhook URL from ${FORWARD_KIND_NAMES[target.kind]}; it is kept in the system keychain` : undefined}
        {...(kept && { placeholder: '••••••••' })}
        onInput={(text) => edit({ secret: text })}
      />
      {target.hasSecret && !urlIsSecret(target.kind) && (
        <button type="button" onClick={() => edit({ hasSecret: false, secret: '' })}>
          Forget the saved {target.kind === 'ntfy' ? 'token' : 'secret'}
        </button>
      )}
      <div class="field" role="group" aria-label={`Forward to ${target.name || 'this target'} when`}>
        <span>Forward when</span>
        {FORWARD_EVENTS.map((event) => (
          <label key={event} class="check">
            <input type="checkbox" checked={target.events[event]} onChange={(e) => edit({ events: { ...target.events, [event]: checked(e) } })} /> {FORWARD_EVENT_NAMES[event]}
          </label>
        ))}
      </div>
      <div class="server-settings__actions">
        <button type="button" disabled={test?.status === 'running' || invalid} onClick={() => void settings.testForwarding(target.key)}>
          {test?.status === 'running' ? 'Sending…' : 'Send test'}
        </button>
        <button type="button" class="danger" onClick={() => settings.removeTarget(target.key)}>
          Remove
        </button>
      </div>
      <TestOutcome state={test} />
    </fieldset>
  );
}

export function ForwardingSettings() {
  const { settings } = useServices();
  const form = settings.form.value;
  if (!form) return null;
  return (
    <div class="forwarding" role="group" aria-labelledby="forwarding-title">
      <h3 id="forwarding-title">Forward to your phone or chat</h3>
      <p class="field__hint">Done, failed, queue finished and server offline, sent by this app itself (nothing to install on the servers). Nothing is sent while notifications are off or paused.</p>
      {form.forwarding.map((target) => (
        <TargetEditor key={target.key} target={target} />
      ))}
      {settings.errors.value.forwarding && (
        <p class="field__error" role="alert">
          {settings.errors.value.forwarding}
        </p>
      )}
      <div class="settings__add" role="group" aria-label="Add a forwarding target">
        {KINDS.map((kind) => (
          <button key={kind} type="button" onClick={() => settings.addTarget(kind)}>
            Add {FORWARD_KIND_NAMES[kind]}
          </button>
        ))}
      </div>
    </div>
  );
}
