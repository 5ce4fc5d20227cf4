// Forwarding targets in the Settings view (happy-dom): a stored secret never shown, adding and checking a target as
// it is typed, "Send test" with the marker, and Save sending the list.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import type { ForwardTargetInput, SettingsPatch } from '../../../electron/shared/ipc-contract.js';
import { DEFAULT_SETTINGS, byText, flush, openSettingsWith, type Rendered, typeInto } from '../support/render.js';

const EVENTS = { done: true, failed: true, queueFinished: false, serverOffline: true };

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

async function openSettings(): Promise<Rendered> {
  current = await openSettingsWith({
    ...DEFAULT_SETTINGS,
    notifications: { ...DEFAULT_SETTINGS.notifications, forwarding: [{ id: 'w', name: 'Home hook', kind: 'webhook', enabled: true, url: 'https://hooks.example.com/a', events: EVENTS, hasSecret: true }] },
  });
  // Forwarding is set in the preferences window's Notifications section.
  await act(() => byText(current!.root, '[role="tab"]', 'Notifications').click());
  return current;
}

const fieldset = (root: HTMLElement, legend: RegExp): HTMLFieldSetElement =>
  [...root.querySelectorAll('fieldset')].find((set) => legend.test(set.querySelector('legend')?.textContent ?? '')) as HTMLFieldSetElement;

test('a stored signing secret is never shown; "Send test" sends the target with the marker and shows the outcome', async () => {
  const { root, settingsApi } = await openSettings();
  const hook = fieldset(root, /Home hook/);
  const secret = hook.querySelector<HTMLInputElement>('input[type="password"]')!;
  assert.equal(secret.value, '');
  assert.match(hook.textContent!, /Saved\. Leave empty to keep it\./);
  const sent: ForwardTargetInput[] = [];
  settingsApi.testForwarding = async (target) => {
    sent.push(target);
    return { ok: false, code: 'FORWARD_REFUSED', message: 'the receiver answered HTTP 401' };
  };
  await act(() => byText(hook, 'button', 'Send test').click());
  await flush();
  assert.deepEqual(sent, [{ id: 'w', name: 'Home hook', kind: 'webhook', enabled: true, url: 'https://hooks.example.com/a', events: EVENTS, secret: { keep: true } }]);
  assert.match(hook.textContent!, /Failed \(FORWARD_REFUSED\): the receiver answered HTTP 401/);

  // The URL changed: the secret must be typed again (or forgotten) before Save.
  await typeInto(hook.querySelector<HTMLInputElement>('input[type="url"]')!, 'https://elsewhere.example.net/');
  assert.match(hook.textContent!, /The URL changed: enter the signing secret again/);
  assert.equal((byText(root, 'button', 'Save') as HTMLButtonElement).disabled, true);
  await act(() => byText(hook, 'button', 'Forget the saved secret').click());
  assert.equal((byText(root, 'button', 'Save') as HTMLButtonElement).disabled, false);
});

test('an ntfy target added and filled in: its topic checked as it is typed, per-kind filters, Save sends the list', async () => {
  const { root, settingsApi } = await openSettings();
  await act(() => byText(root, 'button', 'Add ntfy').click());
  const ntfy = fieldset(root, /\(ntfy\)/);
  const topic = ntfy.querySelector<HTMLInputElement>('input[id$="-topic"]')!;
  assert.equal(topic.getAttribute('aria-invalid'), 'true', 'a topic is needed');
  await typeInto(topic, 'comfy alerts');
  assert.match(ntfy.querySelector(`#${topic.id}-error`)!.textContent!, /letters, digits/);
  await typeInto(topic, 'comfy-alerts');
  assert.equal(ntfy.querySelector(`#${topic.id}-error`), null);
  await typeInto(ntfy.querySelector<HTMLInputElement>('input[type="password"]')!, 'tk_abc');
  const failedOnly = [...ntfy.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find((box) => box.parentElement?.textContent?.trim() === 'Done')!;
  await act(() => failedOnly.click());
  let patch: SettingsPatch | undefined;
  settingsApi.updateSettings = async (p) => {
    patch = p;
    return { ok: true, settings: DEFAULT_SETTINGS, warnings: [] };
  };
  await act(() => (byText(root, 'button', 'Save') as HTMLButtonElement).click());
  await flush();
  assert.deepEqual(patch?.notifications?.forwarding, [
    { id: 'w', name: 'Home hook', kind: 'webhook', enabled: true, url: 'https://hooks.example.com/a', events: EVENTS, secret: { keep: true } },
    { id: 'ntfy', name: 'ntfy', kind: 'ntfy', enabled: true, url: 'https://ntfy.sh', topic: 'comfy-alerts', events: { ...EVENTS, done: false }, secret: 'tk_abc' },
  ]);
});
