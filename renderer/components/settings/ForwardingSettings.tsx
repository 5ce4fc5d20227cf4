// Forwarding in the Notifications section: each target (ntfy, a webhook, Discord, Slack) with its own switch, the
// kinds it receives and a "Send test" button, in the preferences window's aligned rows. A stored secret is never shown,
// only that one is kept.
import { useServices } from '../../services.js';
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
} from '../../models/forwarding-model.js';
import { Check, CheckGroup, CheckRow, FormGroup, FormRow, describedBy, inputValue } from './form-controls.js';

const KINDS: readonly ForwardKindName[] = ['ntfy', 'webhook', 'discord', 'slack'];

const URL_FIELD: Readonly<Record<'ntfy' | 'webhook', { label: string; hint: string }>> = {
  ntfy: { label: 'ntfy server', hint: 'https://ntfy.sh or your own server; subscribe to the topic in the ntfy app' },
  webhook: { label: 'Webhook URL', hint: 'Receives a JSON POST per notification (see the README for its fields)' },
};

function TextRow(props: { id: string; label: string; value: string; error?: string | undefined; hint?: string | undefined; type?: 'text' | 'url' | 'password'; placeholder?: string; onInput: (text: string) => void }) {
  const common = {
    id: props.id,
    value: props.value,
    spellcheck: false,
    onInput: (e: Event) => props.onInput(inputValue(e)),
    ...describedBy(props.id, props.error, props.hint !== undefined),
  };
  return (
    <FormRow id={props.id} label={props.label} hint={props.hint} error={props.error}>
      {props.type === 'password' ? (
        <input type="password" autocomplete="new-password" placeholder={props.placeholder ?? ''} {...common} />
      ) : props.type === 'url' ? (
        <input type="url" autocomplete="off" {...common} />
      ) : (
        <input type="text" autocomplete="off" {...common} />
      )}
    </FormRow>
  );
}

function TestOutcome({ state }: { state: ForwardTestState | undefined }) {
  if (state?.status !== 'done') return null;
  const { result } = state;
  return (
    <div class={`test-result test-result--${result.ok ? 'ok' : 'error'}`} role="status">
      <p class="test-result__headline">{result.ok ? 'Sent: check that it arrived.' : `Failed (${result.code}): ${result.message}`}</p>
    </div>
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
  const name = target.name || 'Unnamed target';
  return (
    <fieldset class="forward-target">
      <legend>
        {name} ({FORWARD_KIND_NAMES[target.kind]})
      </legend>
      <CheckRow id={id('enabled')} label="Send to this target" checked={target.enabled} onChange={(enabled) => edit({ enabled })} />
      <TextRow id={id('name')} label="Name" value={target.name} error={err('name')} onInput={(text) => edit({ name: text })} />
      {!urlIsSecret(target.kind) && (
        <TextRow
          id={id('url')}
          label={URL_FIELD[target.kind as 'ntfy' | 'webhook'].label}
          type="url"
          value={target.url}
          error={err('url')}
          hint={URL_FIELD[target.kind as 'ntfy' | 'webhook'].hint}
          onInput={(url) => edit({ url })}
        />
      )}
      {target.kind === 'ntfy' && <TextRow id={id('topic')} label="Topic" value={target.topic} error={err('topic')} hint="Anyone who knows the topic can read it: pick one hard to guess" onInput={(topic) => edit({ topic })} />}
      <TextRow
        id={id('secret')}
        label={secret.label}
        type="password"
        value={target.secret}
        error={err('secret')}
        hint={kept ? 'Saved. Leave empty to keep it.' : urlIsSecret(target.kind) ? `Paste the incoming-webhook URL from ${FORWARD_KIND_NAMES[target.kind]}; it is kept in the system keychain` : undefined}
        {...(kept && { placeholder: '••••••••' })}
        onInput={(text) => edit({ secret: text })}
      />
      <CheckGroup label="Forward when">
        {FORWARD_EVENTS.map((event) => (
          <Check key={event} label={FORWARD_EVENT_NAMES[event]} checked={target.events[event]} onChange={(on) => edit({ events: { ...target.events, [event]: on } })} />
        ))}
      </CheckGroup>
      <div class="form-row form-row--actions">
        <span class="form-row__label" aria-hidden="true" />
        <div class="form-row__field">
          <div class="forward-target__actions">
            <button type="button" class="button" disabled={test?.status === 'running' || invalid} onClick={() => void settings.testForwarding(target.key)}>
              {test?.status === 'running' ? 'Sending…' : 'Send test'}
            </button>
            {target.hasSecret && !urlIsSecret(target.kind) && (
              <button type="button" class="button" onClick={() => edit({ hasSecret: false, secret: '' })}>
                Forget the saved {target.kind === 'ntfy' ? 'token' : 'secret'}
              </button>
            )}
            <button type="button" class="button button--danger" onClick={() => settings.removeTarget(target.key)} aria-label={`Remove ${name}`}>
              Remove
            </button>
          </div>
          <TestOutcome state={test} />
        </div>
      </div>
    </fieldset>
  );
}

export function ForwardingSettings() {
  const { settings } = useServices();
  const form = settings.form.value;
  if (!form) return null;
  return (
    <FormGroup
      id="forwarding"
      title="Forward to your phone or chat"
      description="Done, failed, queue finished and server offline, sent by this app itself (nothing to install on the servers). Nothing is sent while notifications are off or paused."
    >
      {form.forwarding.map((target) => (
        <TargetEditor key={target.key} target={target} />
      ))}
      {settings.errors.value.forwarding && (
        <p class="form-row__error" role="alert">
          {settings.errors.value.forwarding}
        </p>
      )}
      <div class="forward-adds" role="group" aria-label="Add a forwarding target">
        {KINDS.map((kind) => (
          <button key={kind} type="button" class="button" onClick={() => settings.addTarget(kind)}>
            Add {FORWARD_KIND_NAMES[kind]}
          </button>
        ))}
      </div>
    </FormGroup>
  );
}
