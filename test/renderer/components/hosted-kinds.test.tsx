// The window with Comfy Cloud and ComfyControl servers: the kind on cards and rows, a failure's node, exception,
// message and readable sentence, no "queue at front" for Cloud, ComfyControl runs followed by a pasted id, states
// that say what is wrong (no credits, polling without a socket), and Settings asking each kind for its own fields.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act } from 'preact/test-utils';
import type { SettingsPatch } from '../../../electron/shared/ipc-contract.js';
import { App } from '../../../renderer/components/App.js';
import { DEFAULT_SETTINGS, byText, flush, job, renderApp, server, type Rendered, typeInto } from '../support/render.js';

let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

const SERVERS = [
  server('local', { name: 'Studio' }),
  server('cloud', { name: 'My account', kind: 'comfy-cloud', version: undefined }),
  server('cc', { name: 'Runs', kind: 'comfycontrol', version: undefined }),
];
const card = (root: HTMLElement, name: string): HTMLElement => root.querySelector<HTMLElement>(`[aria-label="Servers"] li[aria-label^="${name}:"]`)!;

test('cards and rows say which kind a job runs on; a Cloud failure shows node, exception, message and a sentence', async () => {
  current = await renderApp(
    {
      version: 1,
      servers: SERVERS,
      jobs: [
        job('oom', {
          serverId: 'cloud',
          status: 'failed',
          endedAt: Date.now(),
          error: { nodeId: '3', nodeType: 'KSampler', exceptionType: 'OOMError', message: 'CUDA out of memory', traceback: [], hint: 'The machine running the job ran out of memory.' },
        }),
        job('ok', { serverId: 'local', status: 'completed', endedAt: Date.now() }),
      ],
    },
    <App />,
  );
  const { root } = current;
  assert.match(card(root, 'My account').textContent!, /Comfy Cloud/);
  assert.match(card(root, 'Runs').textContent!, /ComfyControl/);
  const rows = [...root.querySelectorAll<HTMLElement>('.row')];
  const failed = rows.find((row) => row.textContent!.includes('Workflow oom'))!;
  assert.match(failed.textContent!, /My account · Comfy Cloud/);
  assert.match(failed.textContent!, /KSampler: OOMError: CUDA out of memory — The machine running the job ran out of memory\./);
  const local = rows.find((row) => row.textContent!.includes('Workflow ok'))!;
  assert.match(local.textContent!, /Studio/);
  assert.doesNotMatch(local.textContent!, /ComfyUI ·|· ComfyUI/, 'a ComfyUI of the user is named as it is');
});

test('ComfyControl: no web UI, clear-pending or cancel; a pasted run id is followed, a refusal said once', async () => {
  current = await renderApp(
    { version: 1, servers: SERVERS, jobs: [job('run-w', { serverId: 'cc', status: 'pending', queuePosition: 1 }), job('cloud-w', { serverId: 'cloud', status: 'pending', queuePosition: 1 })] },
    <App />,
  );
  const { root } = current;
  const pending = [...root.querySelectorAll<HTMLElement>('[aria-label="Pending jobs"] li')];
  assert.equal(pending.find((row) => row.textContent!.includes('Workflow run-w'))!.querySelector('button[aria-label^="Remove"]'), null, 'cancelled in ComfyControl');
  assert.ok(pending.find((row) => row.textContent!.includes('Workflow cloud-w'))!.querySelector('button[aria-label^="Remove"]'));
  const runs = card(root, 'Runs');
  assert.equal([...runs.querySelectorAll('button')].some((b) => b.textContent === 'Web UI'), false);
  const input = runs.querySelector<HTMLInputElement>('input.follow-run__id')!;
  const follow = byText(runs, 'button', 'Follow') as HTMLButtonElement;
  assert.equal(follow.disabled, true, 'nothing to follow yet');
  await typeInto(input, '  a1b2c3d4-run  ');
  await act(() => follow.click());
  await flush();
  assert.deepEqual(current.calls.filter((c) => c.method === 'followJob').map((c) => c.args), [['cc', 'a1b2c3d4-run']]);
  assert.match(root.querySelector('.feedback')!.textContent!, /Runs: following run a1b2c3d4-run/);
  assert.equal(input.value, '', 'cleared once followed');
  current.actions.followJob = async () => ({ ok: false, code: 'COMFY_JOB_NOT_FOUND', message: 'Runs has no run typo on this account; check the id' });
  await typeInto(input, 'typo');
  await act(() => (byText(runs, 'button', 'Follow') as HTMLButtonElement).click());
  await flush();
  assert.match(root.querySelector('.feedback__item--error')!.textContent!, /no run typo on this account/);
  assert.equal(input.value, 'typo', 'kept to correct');
});

test('queue steering only where the queue can be steered: no Pause or moves on Cloud and ComfyControl, no tick box on a run', async () => {
  const servers = [
    server('local', { name: 'Studio' }),
    server('cloud', { name: 'My account', kind: 'comfy-cloud', version: undefined, steeringUnavailable: 'Comfy Cloud schedules your jobs itself and ignores queue places' }),
    server('cc', { name: 'Runs', kind: 'comfycontrol', version: undefined, steeringUnavailable: 'ComfyControl queues its runs itself' }),
  ];
  current = await renderApp(
    {
      version: 1,
      servers,
      jobs: [
        job('local-w', { serverId: 'local', status: 'pending', queuePosition: 1 }),
        job('cloud-w', { serverId: 'cloud', status: 'pending', queuePosition: 1 }),
        job('run-w', { serverId: 'cc', status: 'pending', queuePosition: 1 }),
      ],
    },
    <App />,
  );
  const { root } = current;
  const pauseOf = (name: string): Element | null => card(root, name).querySelector(`button[aria-label="Pause the queue of ${name}"]`);
  assert.ok(pauseOf('Studio'));
  assert.equal(pauseOf('My account'), null);
  assert.equal(pauseOf('Runs'), null);
  const row = (id: string): HTMLElement => [...root.querySelectorAll<HTMLElement>('[aria-label="Pending jobs"] li')].find((li) => li.textContent!.includes(`Workflow ${id}`))!;
  assert.ok(row('local-w').querySelector('button[aria-label="Move Workflow local-w to the front"]'));
  assert.equal(row('cloud-w').querySelector('button[aria-label^="Move"]'), null);
  assert.ok(row('cloud-w').querySelector('input[aria-label="Select Workflow cloud-w"]'), 'a Cloud job can still be ticked to be removed');
  assert.equal(row('run-w').querySelector('input[type="checkbox"]'), null, 'a run can be neither moved nor removed here');

  // Select all ticks what can be acted on; moves are offered, not allowed, with the reason.
  await act(() => root.querySelector<HTMLInputElement>('.pending-tools__all input')!.click());
  const bar = root.querySelector<HTMLElement>('.selection-bar')!;
  assert.equal(bar.getAttribute('aria-label'), '2 jobs selected');
  const front = bar.querySelector<HTMLButtonElement>('button[aria-label^="Cannot move to the front"]')!;
  assert.equal(front.disabled, true);
  assert.match(front.title, /Comfy Cloud schedules your jobs itself/);
});

test('states say what is wrong: no credits on Cloud, and a ComfyUI followed by polling without a socket', async () => {
  current = await renderApp(
    {
      version: 1,
      servers: [
        server('cloud', { name: 'My account', kind: 'comfy-cloud', state: 'auth-failed', lastError: { code: 'CLOUD_NO_CREDITS', message: 'your Comfy Cloud account has no credits left' } }),
        server('proxied', { name: 'Pod', degraded: { code: 'COMFY_NO_WEBSOCKET', message: 'the WebSocket upgrade was answered with HTTP 502' } }),
      ],
      jobs: [],
    },
    <App />,
  );
  const { root } = current;
  assert.match(card(root, 'My account').textContent!, /No credits left/);
  assert.match(card(root, 'My account').textContent!, /no credits left/);
  assert.match(card(root, 'Pod').textContent!, /following by polling/);
  assert.match(card(root, 'Pod').textContent!, /HTTP 502/);
});

test('Settings: Add Comfy Cloud asks for the API key only; Test connection names the kind; Save sends it', async () => {
  current = await renderApp({ version: 1, servers: [], jobs: [] }, <App />);
  current.settingsApi.getSettings = async () => ({ ...DEFAULT_SETTINGS, servers: [] });
  const tested: unknown[] = [];
  current.settingsApi.testConnection = async (input) => {
    tested.push(input);
    return { ok: true, capabilities: { jobsApi: true, cancelEndpoint: false, targetedInterrupt: false, supportsPreviewMetadata: false } };
  };
  let sent: SettingsPatch | undefined;
  current.settingsApi.updateSettings = async (patch) => {
    sent = patch;
    return { ok: true, settings: { ...DEFAULT_SETTINGS, servers: [] }, warnings: [] };
  };
  await current.showView('settings');
  await flush();
  const { root } = current;
  await act(() => byText(root, 'button', 'Add Comfy Cloud').click());
  const editor = root.querySelector<HTMLElement>('.server-editor')!;
  assert.equal(editor.querySelector<HTMLSelectElement>('select[id$="-kind"]')!.value, 'comfy-cloud');
  assert.equal(editor.querySelector('select[id$="-auth"]'), null, 'no authentication choice: Cloud takes an API key');
  assert.equal(editor.querySelector('input[id$="-tlsFingerprint"]'), null);
  assert.equal(editor.querySelector<HTMLInputElement>('input[type="url"]')!.value, 'https://cloud.comfy.org');
  assert.match(editor.textContent!, /API key \(from platform\.comfy\.org\)/);
  assert.match(editor.textContent!, /Enter the API key/);
  await typeInto(editor.querySelector<HTMLInputElement>('input[type="password"]')!, 'ck-typed-key');
  await act(() => byText(editor, 'button', 'Test connection').click());
  await flush();
  assert.equal((tested[0] as { kind?: string }).kind, 'comfy-cloud');
  assert.match(editor.textContent!, /Connected to Comfy Cloud: the API key works/);
  await act(() => (byText(root, 'button', 'Save') as HTMLButtonElement).click());
  await flush();
  assert.deepEqual(sent?.servers?.[0] && { kind: sent.servers[0].kind, auth: sent.servers[0].auth, url: sent.servers[0].url }, {
    kind: 'comfy-cloud',
    auth: { kind: 'api-key', key: 'ck-typed-key' },
    url: 'https://cloud.comfy.org',
  });
});
