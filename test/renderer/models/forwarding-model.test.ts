import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ForwardTargetView } from '../../../electron/shared/ipc-contract.js';
import { keepsTargetSecret, newTarget, targetForms, targetInput, validateTargets } from '../../../renderer/models/forwarding-model.js';

const EVENTS = { done: true, failed: true, queueFinished: false, serverOffline: true };
const stored: ForwardTargetView[] = [
  { id: 'w', name: 'Hook', kind: 'webhook', enabled: true, url: 'https://hooks.example.com/a', events: EVENTS, hasSecret: true },
  { id: 'd', name: 'Discord', kind: 'discord', enabled: true, url: 'https://discord.com/', events: EVENTS, hasSecret: true },
];

test('a stored secret goes back as the marker beside its own URL; a changed URL asks for it again, or to forget it', () => {
  const [hook, discord] = targetForms(stored) as [ReturnType<typeof targetForms>[number], ReturnType<typeof targetForms>[number]];
  assert.deepEqual(targetInput(hook).secret, { keep: true });
  assert.deepEqual(targetInput(discord), { id: 'd', name: 'Discord', kind: 'discord', enabled: true, url: 'https://discord.com/', events: EVENTS, secret: { keep: true } });

  const moved = { ...hook, url: 'https://elsewhere.example.net/' };
  assert.equal(keepsTargetSecret(moved), false);
  assert.equal(targetInput(moved).secret, undefined);
  assert.match(validateTargets([moved])[`forwarding.${hook.key}.secret`] ?? '', /URL changed.*signing secret/);
  assert.deepEqual(validateTargets([{ ...moved, hasSecret: false }]), {}, 'forgotten: saved without one');
  assert.equal(targetInput({ ...moved, secret: ' new-key ' }).secret, 'new-key');
});

test('each kind asks for what it needs: ntfy a server and a topic, Discord and Slack their webhook URL', () => {
  const ntfy = newTarget('ntfy', []);
  assert.equal(ntfy.url, 'https://ntfy.sh');
  assert.match(validateTargets([ntfy])[`forwarding.${ntfy.key}.topic`] ?? '', /topic/);
  assert.deepEqual(validateTargets([{ ...ntfy, topic: 'comfy-alerts_1' }]), {});
  assert.equal(targetInput({ ...ntfy, topic: 'comfy' }).topic, 'comfy');

  const slack = newTarget('slack', []);
  assert.match(validateTargets([slack])[`forwarding.${slack.key}.secret`] ?? '', /Slack webhook URL/);
  assert.match(validateTargets([{ ...slack, secret: 'not a url' }])[`forwarding.${slack.key}.secret`] ?? '', /valid URL/);
  assert.deepEqual(validateTargets([{ ...slack, secret: 'https://hooks.slack.com/services/T/B/x' }]), {});

  const hook = newTarget('webhook', []);
  assert.match(validateTargets([hook])[`forwarding.${hook.key}.url`] ?? '', /webhook URL/);
  assert.match(validateTargets([{ ...hook, url: 'ftp://x' }])[`forwarding.${hook.key}.url`] ?? '', /http/);
  assert.match(validateTargets([{ ...hook, url: 'https://x', name: ' ' }])[`forwarding.${hook.key}.name`] ?? '', /name/);
});

test('new targets get ids of their own', () => {
  const first = newTarget('ntfy', []);
  const second = newTarget('ntfy', [first]);
  const third = newTarget('ntfy', [first, second]);
  assert.deepEqual([first.id, second.id, third.id], ['ntfy', 'ntfy-2', 'ntfy-3']);
});
