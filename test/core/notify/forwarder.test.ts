// Forwarding against real HTTP receivers on port 0: what each kind of target receives (body, headers, a signature
// the receiver verifies), thumbnails where the target takes them, retries and the one notice when a receiver keeps
// failing, per-target switches and per-kind filters, the pause, and "Send test".
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { test } from 'node:test';
import { Forwarder } from '../../../electron/core/notify/forwarder.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, type ForwardImage } from '../../../electron/core/notify/forward-request.js';
import type { ForwardTargetInput } from '../../../electron/core/notify/forward-settings.js';
import { NotificationPlanner } from '../../../electron/core/notify/notification-planner.js';
import type { NotificationContent } from '../../../electron/core/notify/notification-model.js';
import { settingsSchema, type Settings } from '../../../electron/core/store/settings-schema.js';
import type { JobView, ServerView } from '../../../electron/shared/app-state.js';
import { HttpReceiver } from '../../support/http-receiver.js';
import { image, job, serverName } from './fixtures.js';

const FAST_RETRY = { attempts: 5, firstDelayMs: 5, maxDelayMs: 20 };
const PNG: ForwardImage = { mime: 'image/png', bytes: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]) };

interface Rig {
  readonly forwarder: Forwarder;
  readonly notices: string[];
  /** Change the settings (pause, switches) between steps. */
  readonly state: { notifications: Record<string, unknown> };
  readonly settings: () => Settings;
}

function rig(targets: ForwardTargetInput[], options: { thumbnail?: ForwardImage; notifications?: Record<string, unknown> } = {}): Rig {
  const state = { notifications: { batchWindowMs: 0, forwarding: targets, ...options.notifications } };
  const settings = (): Settings => settingsSchema.parse(state);
  const notices: string[] = [];
  const forwarder = new Forwarder({
    settings,
    serverName,
    notice: (message) => notices.push(message),
    retry: FAST_RETRY,
    ...(options.thumbnail && { thumbnail: async () => options.thumbnail }),
  });
  return { forwarder, notices, state, settings };
}

async function forwarded(r: Rig): Promise<void> {
  r.forwarder.flush();
  await r.forwarder.settled();
}

function verifySignature(secret: string, body: Buffer, header: string | string[] | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(String(header));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

test('each target receives one request per notification with the documented body; the webhook signature verifies', async (t) => {
  const [ntfy, hook, discord, slack] = await Promise.all([HttpReceiver.start(t), HttpReceiver.start(t), HttpReceiver.start(t), HttpReceiver.start(t)]);
  const r = rig([
    { id: 'n', name: 'Phone', kind: 'ntfy', url: ntfy.url, topic: 'comfy-alerts', secret: 'tk_secret' },
    { id: 'w', name: 'Hook', kind: 'webhook', url: `${hook.url}hooks/comfy`, secret: 'signing-key' },
    { id: 'd', name: 'Discord', kind: 'discord', url: discord.url, secret: `${discord.url}api/webhooks/1/abc` },
    { id: 's', name: 'Slack', kind: 'slack', url: slack.url, secret: `${slack.url}services/T/B/xyz` },
  ]);
  const done = job({ workflowName: 'Portrait <b>', durationMs: 4_000, endedAt: Date.UTC(2026, 0, 1, 12), outputs: [image] });
  r.forwarder.finished(done);
  await forwarded(r);
  for (const receiver of [ntfy, hook, discord, slack]) assert.equal(receiver.requests.length, 1);

  const [toNtfy] = ntfy.requests;
  assert.deepEqual([toNtfy!.method, toNtfy!.path, toNtfy!.headers.authorization], ['POST', '/', 'Bearer tk_secret']);
  assert.deepEqual(ntfy.json(0), { topic: 'comfy-alerts', title: 'Portrait <b>', message: 'gpu-box · 4s · 1 output', tags: ['white_check_mark'], priority: 3 });

  const [toHook] = hook.requests;
  assert.equal(toHook!.path, '/hooks/comfy');
  assert.equal(toHook!.headers['content-type'], 'application/json');
  assert.equal(toHook!.headers[EVENT_HEADER], 'done');
  assert.match(String(toHook!.headers[DELIVERY_HEADER]), /^[0-9a-f-]{36}$/);
  assert.ok(verifySignature('signing-key', toHook!.body, toHook!.headers[SIGNATURE_HEADER]), 'HMAC-SHA256 of the body');
  assert.ok(!verifySignature('another-key', toHook!.body, toHook!.headers[SIGNATURE_HEADER]));
  assert.deepEqual(hook.json(0), {
    event: 'done',
    title: 'Portrait <b>',
    body: 'gpu-box · 4s · 1 output',
    at: '2026-01-01T12:00:00.000Z',
    server: { id: 'gpu', name: 'gpu-box' },
    job: { id: done.id, status: 'completed', workflow_name: 'Portrait <b>', duration_ms: 4000, outputs: 1 },
  });

  assert.equal(discord.requests[0]!.path, '/api/webhooks/1/abc');
  const embed = (discord.json(0).embeds as Record<string, unknown>[])[0]!;
  assert.deepEqual([embed.title, embed.description], ['Portrait <b>', 'gpu-box · 4s · 1 output']);
  assert.deepEqual(discord.json(0).allowed_mentions, { parse: [] });

  assert.equal(slack.requests[0]!.path, '/services/T/B/xyz');
  assert.match(JSON.stringify(slack.json(0).blocks), /Portrait &lt;b&gt;/, 'no markup from a job name');

  // A failure: its own event, priority and colour; no signature without a secret.
  const plain = rig([{ id: 'w2', name: 'Plain hook', kind: 'webhook', url: hook.url }]);
  plain.forwarder.finished(job({ status: 'failed', error: { nodeType: 'KSampler', exceptionType: 'RuntimeError', message: 'OOM', traceback: [] } }));
  await forwarded(plain);
  assert.equal(hook.requests[1]!.headers[SIGNATURE_HEADER], undefined);
  assert.equal(hook.json(1).event, 'failed');
  assert.equal(hook.json(1).body, 'KSampler: OOM · gpu-box');
});

test('the thumbnail goes where the target takes it: ntfy as an attachment, Discord in the embed, the webhook in its JSON; not Slack', async (t) => {
  const [ntfy, hook, discord, slack] = await Promise.all([HttpReceiver.start(t), HttpReceiver.start(t), HttpReceiver.start(t), HttpReceiver.start(t)]);
  const r = rig(
    [
      { id: 'n', name: 'Phone', kind: 'ntfy', url: ntfy.url, topic: 'alerts' },
      { id: 'w', name: 'Hook', kind: 'webhook', url: hook.url },
      { id: 'd', name: 'Discord', kind: 'discord', url: discord.url, secret: `${discord.url}api/webhooks/1/abc` },
      { id: 's', name: 'Slack', kind: 'slack', url: slack.url, secret: `${slack.url}services/x` },
    ],
    { thumbnail: PNG },
  );
  r.forwarder.finished(job({ workflowName: 'Résumé ✓', outputs: [image] }));
  await forwarded(r);

  const put = ntfy.requests[0]!;
  assert.equal(put.method, 'PUT');
  const query = new URL(put.path, ntfy.url);
  assert.equal(query.pathname, '/alerts');
  assert.equal(query.searchParams.get('title'), 'Résumé ✓');
  assert.equal(query.searchParams.get('filename'), 'thumbnail.png');
  assert.deepEqual(put.body, Buffer.from(PNG.bytes));

  const multipart = discord.requests[0]!;
  assert.match(String(multipart.headers['content-type']), /^multipart\/form-data; boundary=/);
  const form = await new Response(new Uint8Array(multipart.body), { headers: { 'content-type': String(multipart.headers['content-type']) } }).formData();
  const file = form.get('files[0]') as File;
  assert.deepEqual(Buffer.from(await file.arrayBuffer()), Buffer.from(PNG.bytes));
  const payload = JSON.parse(String(form.get('payload_json'))) as { embeds: { image: { url: string } }[] };
  assert.equal(payload.embeds[0]!.image.url, 'attachment://thumbnail.png');

  assert.deepEqual(hook.json(0).thumbnail, { mime: 'image/png', base64: Buffer.from(PNG.bytes).toString('base64') });
  assert.equal(JSON.stringify(slack.json(0)).includes('thumbnail'), false);
});

test('a receiver failing 5 times: tried 5 times with backoff, one notice, and the local notification is not lost', async (t) => {
  const hook = await HttpReceiver.start(t);
  hook.answer(500);
  const r = rig([{ id: 'w', name: 'Hook', kind: 'webhook', url: hook.url }]);
  const shown: NotificationContent[] = [];
  const planner = new NotificationPlanner(() => ({ settings: r.settings(), serverName }), (content) => shown.push(content));
  const first = job({ workflowName: 'First' });
  // The app hands every ending to both; the planner does not wait for the forwarder.
  r.forwarder.finished(first);
  planner.finished(first);
  r.forwarder.flush();
  planner.flush();
  assert.deepEqual(shown.map((n) => n.title), ['First'], 'shown at once, while forwarding is still trying');
  await r.forwarder.settled();
  assert.equal(hook.requests.length, 5);
  assert.deepEqual(new Set(hook.requests.map((req) => req.headers[DELIVERY_HEADER])).size, 1, 'the same delivery id on every try');
  assert.equal(r.notices.length, 1);
  assert.match(r.notices[0]!, /^Forwarding to Hook is failing: the receiver answered HTTP 500.*\[FORWARD_REFUSED\]/);

  // Still failing: no second notice.
  r.forwarder.finished(job());
  await forwarded(r);
  assert.equal(hook.requests.length, 10);
  assert.equal(r.notices.length, 1);

  // Working again, then failing again: told again. A refusal that retrying cannot fix (401) is not retried.
  hook.answer(200);
  r.forwarder.finished(job());
  await forwarded(r);
  hook.answer(401);
  r.forwarder.finished(job());
  await forwarded(r);
  assert.equal(hook.requests.length, 12);
  assert.equal(r.notices.length, 2);
  assert.match(r.notices[1]!, /HTTP 401/);
});

test('a receiver that fails, then answers: delivered on a later try, no notice', async (t) => {
  const hook = await HttpReceiver.start(t);
  hook.answer(503, 429, 200);
  const r = rig([{ id: 'w', name: 'Hook', kind: 'webhook', url: hook.url }]);
  r.forwarder.finished(job());
  await forwarded(r);
  assert.equal(hook.requests.length, 3);
  assert.deepEqual(r.notices, []);
});

test('nothing is sent while notifications are paused or off, including a batch that waited into the pause', async (t) => {
  const hook = await HttpReceiver.start(t);
  const r = rig([{ id: 'w', name: 'Hook', kind: 'webhook', url: hook.url }], { notifications: { pausedUntil: -1 } });
  r.forwarder.finished(job());
  r.forwarder.digest([job()]);
  await forwarded(r);
  r.state.notifications = { ...r.state.notifications, pausedUntil: undefined, enabled: false };
  r.forwarder.finished(job());
  await forwarded(r);
  r.state.notifications = { ...r.state.notifications, enabled: true };
  r.forwarder.finished(job());
  r.state.notifications = { ...r.state.notifications, pausedUntil: Date.now() + 60_000 };
  await forwarded(r);
  assert.equal(hook.requests.length, 0);
  // Resumed: forwarded again.
  r.state.notifications = { ...r.state.notifications, pausedUntil: undefined };
  r.forwarder.finished(job());
  await forwarded(r);
  assert.equal(hook.requests.length, 1);
});

test('per-target switches and per-kind filters; "queue finished" mode; a server offline told once per outage', async (t) => {
  const [failures, everything, off] = await Promise.all([HttpReceiver.start(t), HttpReceiver.start(t), HttpReceiver.start(t)]);
  const r = rig([
    { id: 'f', name: 'Failures', kind: 'webhook', url: failures.url, events: { done: false, failed: true, queueFinished: false, serverOffline: false } },
    { id: 'e', name: 'Everything', kind: 'webhook', url: everything.url, events: { done: true, failed: true, queueFinished: true, serverOffline: true } },
    { id: 'o', name: 'Off', kind: 'webhook', url: off.url, enabled: false },
  ]);
  r.forwarder.finished(job({ workflowName: 'Good' }));
  r.forwarder.finished(job({ workflowName: 'Bad', status: 'failed' }));
  await forwarded(r);
  assert.deepEqual(failures.requests.map((_, i) => failures.json(i).title), ['Failed: Bad']);
  assert.deepEqual(everything.requests.map((_, i) => everything.json(i).title), ['Failed: Bad'], 'successes wait for the drained queue');
  r.forwarder.queueDrained('gpu');
  await forwarded(r);
  assert.deepEqual(everything.json(1), { ...everything.json(1), event: 'queue-finished', title: 'Queue finished on gpu-box', body: '1 done, 1 failed', counts: { completed: 1, failed: 1 } });
  assert.equal(failures.requests.length, 1);

  const view = (state: ServerView['state']): ServerView => ({ id: 'gpu', name: 'gpu-box', url: 'http://gpu/', state, lastError: { code: 'COMFY_UNREACHABLE', message: 'unreachable' } });
  r.forwarder.server(view('offline'));
  await forwarded(r);
  assert.equal(everything.requests.length, 2, 'never connected: not an outage worth telling');
  r.forwarder.server(view('connected'));
  r.forwarder.server(view('reconnecting'));
  r.forwarder.server(view('offline'));
  r.forwarder.server(view('offline'));
  await forwarded(r);
  assert.equal(everything.requests.length, 3);
  assert.deepEqual([everything.json(2).event, everything.json(2).title], ['server-offline', 'gpu-box is offline']);
  r.forwarder.server(view('connected'));
  r.forwarder.server(view('offline'));
  await forwarded(r);
  assert.equal(everything.requests.length, 4, 'a new outage is told again');
  assert.equal(off.requests.length, 0);
});

test('endings close together are one message per target', async (t) => {
  const hook = await HttpReceiver.start(t);
  const r = rig([{ id: 'w', name: 'Hook', kind: 'webhook', url: hook.url }], { notifications: { batchWindowMs: 60_000 } });
  const jobs: JobView[] = [job(), job(), job({ status: 'failed' })];
  for (const ended of jobs) r.forwarder.finished(ended);
  await forwarded(r);
  assert.equal(hook.requests.length, 1);
  assert.deepEqual([hook.json(0).event, hook.json(0).title, hook.json(0).body], ['failed', '3 jobs finished', '2 done, 1 failed on gpu-box']);
});

test('"Send test" sends one request now, paused or not, and says what came of it without retrying', async (t) => {
  const hook = await HttpReceiver.start(t);
  const r = rig([], { notifications: { pausedUntil: -1 } });
  const target = settingsSchema.parse({ notifications: { forwarding: [{ id: 'w', name: 'Hook', kind: 'webhook', url: hook.url, secret: 'k' }] } }).notifications.forwarding[0]!;
  assert.deepEqual(await r.forwarder.test(target), { ok: true, status: 200 });
  assert.equal(hook.json(0).event, 'test');
  assert.ok(verifySignature('k', hook.requests[0]!.body, hook.requests[0]!.headers[SIGNATURE_HEADER]));
  hook.answer(500);
  const failed = await r.forwarder.test(target);
  assert.deepEqual([failed.ok, !failed.ok && failed.code], [false, 'FORWARD_REFUSED']);
  assert.equal(hook.requests.length, 2);
  const nowhere = await r.forwarder.test({ ...target, url: 'http://127.0.0.1:9/' });
  assert.deepEqual([nowhere.ok, !nowhere.ok && nowhere.code], [false, 'FORWARD_UNREACHABLE']);
  assert.deepEqual(r.notices, [], 'a test answers the button, not the tray');
});

test('a Discord target whose webhook URL was not kept across a restart is reported once, and sends nothing', async (t) => {
  const discord = await HttpReceiver.start(t);
  const r = rig([{ id: 'd', name: 'Discord', kind: 'discord', url: discord.url }]);
  r.forwarder.finished(job());
  r.forwarder.finished(job({ status: 'failed' }));
  await forwarded(r);
  assert.equal(discord.requests.length, 0);
  assert.equal(r.notices.length, 1);
  assert.match(r.notices[0]!, /FORWARD_NOT_CONFIGURED/);
});
