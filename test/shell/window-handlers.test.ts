// The window's action channels: answers are data (ok, or a code and message), arguments are checked, and opening
// or showing an output only ever touches a file the app itself saved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComfyTrayError } from '../../electron/core/errors.js';
import { windowHandlers, type WindowActionDeps } from '../../electron/shell/window-handlers.js';

function deps(overrides: Partial<WindowActionDeps> = {}): { deps: WindowActionDeps; log: string[] } {
  const log: string[] = [];
  return {
    log,
    deps: {
      removePending: async (serverId, ids) => void log.push(`remove ${serverId} ${ids.join(',')}`),
      clearPending: async (serverId) => void log.push(`clear ${serverId}`),
      pauseQueue: async (serverId) => (log.push(`pause ${serverId}`), { done: ['a'], skipped: [{ id: 'b', reason: { code: 'started', message: 'it had already started' } }] }),
      resumeQueue: async (serverId) => (log.push(`resume ${serverId}`), { done: ['a'], skipped: [] }),
      moveJobs: async (serverId, ids, to) => (log.push(`move ${serverId} ${ids.join(',')} ${to}`), { done: [...ids], skipped: [] }),
      rerun: async (serverId, jobId) => {
        log.push(`rerun ${serverId} ${jobId}`);
        return { promptId: 'new-id' };
      },
      follow: async (serverId, jobId) => void log.push(`follow ${serverId} ${jobId}`),
      latestPreview: () => ({ mime: 'image/jpeg', image: new Uint8Array([0xff, 0xd8]) }),
      outputImage: async () => ({ mime: 'image/png', bytes: new Uint8Array([0x89, 0x50]) }),
      outputMedia: async (_s, _j, index) => (index === 9 ? undefined : { kind: 'video', mime: 'video/webm', bytes: new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]), savedPath: '/pictures/gpu/clip.webm' }),
      copyImage: (image) => (log.push(`clipboard ${image.mime} ${image.bytes.length}`), true),
      thumbnail: (image) => ({ mime: 'image/jpeg', bytes: image.bytes.slice(0, 1) }),
      savedOutputPath: (_s, _j, index) => (index === 0 ? '/pictures/gpu/cat.png' : undefined),
      openPath: async (path) => (log.push(`open ${path}`), ''),
      showItemInFolder: (path) => void log.push(`show ${path}`),
      serverWebUrl: (serverId) => (serverId === 'gpu' ? 'http://gpu.lan:8188/' : undefined),
      openExternal: async (url) => (log.push(`browse ${url}`), true),
      discoverLocal: async () => ({ found: true, url: 'http://127.0.0.1:8188', version: '0.3.60' }),
      logFolder: () => '/data/logs',
      ...overrides,
    },
  };
}

test('actions answer ok and reach the core', async () => {
  const { deps: d, log } = deps();
  const { handlers } = windowHandlers(d);
  assert.deepEqual(await handlers['jobs:remove-pending']('gpu', ['a', 'b']), { ok: true });
  assert.deepEqual(await handlers['jobs:clear-pending']('gpu'), { ok: true });
  assert.deepEqual(await handlers['jobs:rerun']('gpu', 'j1'), { ok: true, promptId: 'new-id' });
  assert.deepEqual(await handlers['outputs:open']('gpu', 'j1', 0), { ok: true });
  assert.deepEqual(await handlers['outputs:show-in-folder']('gpu', 'j1', 0), { ok: true });
  assert.deepEqual(await handlers['servers:open-web-ui']('gpu'), { ok: true });
  assert.deepEqual(await handlers['app:open-log-folder'](), { ok: true });
  assert.deepEqual(await handlers['servers:discover-local'](), { found: true, url: 'http://127.0.0.1:8188', version: '0.3.60' });
  assert.deepEqual(await handlers['queue:pause']('gpu'), { ok: true, done: ['a'], skipped: [{ id: 'b', code: 'started', message: 'it had already started' }] });
  assert.deepEqual(await handlers['queue:resume']('gpu'), { ok: true, done: ['a'], skipped: [] });
  assert.deepEqual(await handlers['jobs:move']('gpu', ['x', 'y'], 'front'), { ok: true, done: ['x', 'y'], skipped: [] });
  assert.deepEqual(log, ['remove gpu a,b', 'clear gpu', 'rerun gpu j1', 'open /pictures/gpu/cat.png', 'show /pictures/gpu/cat.png', 'browse http://gpu.lan:8188/', 'open /data/logs', 'pause gpu', 'resume gpu', 'move gpu x,y front']);
});

test('failures come back as a code and a message, never as a rejection', async () => {
  const { deps: d, log } = deps({
    rerun: async () => {
      throw new ComfyTrayError('JOB_PROMPT_UNAVAILABLE', 'The server no longer has this job’s prompt');
    },
    clearPending: async () => {
      throw new Error('socket hang up');
    },
    openPath: async () => 'No application knows how to open this file',
    openExternal: async () => false,
  });
  const { handlers } = windowHandlers(d);
  assert.deepEqual(await handlers['jobs:rerun']('gpu', 'j1'), { ok: false, code: 'JOB_PROMPT_UNAVAILABLE', message: 'The server no longer has this job’s prompt' });
  assert.deepEqual(await handlers['jobs:clear-pending']('gpu'), { ok: false, code: 'ACTION_FAILED', message: 'socket hang up' });
  assert.deepEqual(await handlers['outputs:open']('gpu', 'j1', 0), { ok: false, code: 'OUTPUT_OPEN_FAILED', message: 'No application knows how to open this file' });
  const notSaved = await handlers['outputs:show-in-folder']('gpu', 'j1', 1);
  assert.deepEqual([notSaved.ok, !notSaved.ok && notSaved.code], [false, 'OUTPUT_NOT_SAVED']);
  assert.deepEqual(await handlers['servers:open-web-ui']('gpu'), { ok: false, code: 'URL_REFUSED', message: 'http://gpu.lan:8188/ cannot be opened in the browser' });
  const unknown = await handlers['servers:open-web-ui']('gone');
  assert.deepEqual([unknown.ok, !unknown.ok && unknown.code], [false, 'SERVER_UNKNOWN']);
  assert.deepEqual(log, [], 'nothing opened');
});

test('previews and thumbnails: only image types the window can show, thumbnails scaled, failures are just absent', async () => {
  const { handlers } = windowHandlers(deps().deps);
  assert.deepEqual(await handlers['jobs:preview']('gpu', 'j1'), { mime: 'image/jpeg', bytes: new Uint8Array([0xff, 0xd8]) });
  assert.deepEqual(await handlers['outputs:thumbnail']('gpu', 'j1', 0), { mime: 'image/jpeg', bytes: new Uint8Array([0x89]) });

  const odd = windowHandlers(
    deps({
      latestPreview: () => ({ mime: 'text/html', image: new Uint8Array([60]) }),
      outputImage: async () => {
        throw new Error('404');
      },
    }).deps,
  ).handlers;
  assert.equal(await odd['jobs:preview']('gpu', 'j1'), undefined);
  assert.equal(await odd['outputs:thumbnail']('gpu', 'j1', 0), undefined);
});

test('a thumbnail is made once and kept: the second ask reads nothing and scales nothing', async () => {
  let reads = 0;
  let scaled = 0;
  const { handlers } = windowHandlers(
    deps({
      outputImage: async () => (reads++, { mime: 'image/png', bytes: new Uint8Array([1, 2, 3]) }),
      thumbnail: (image) => (scaled++, { mime: 'image/jpeg', bytes: image.bytes.slice(0, 1) }),
    }).deps,
  );
  const first = await handlers['outputs:thumbnail']('gpu', 'j1', 0);
  const again = await handlers['outputs:thumbnail']('gpu', 'j1', 0);
  const other = await handlers['outputs:thumbnail']('gpu', 'j1', 1);
  assert.deepEqual([first, again, other], [{ mime: 'image/jpeg', bytes: new Uint8Array([1]) }, { mime: 'image/jpeg', bytes: new Uint8Array([1]) }, { mime: 'image/jpeg', bytes: new Uint8Array([1]) }]);
  assert.deepEqual([reads, scaled], [2, 2]);
});

test('arguments are checked before any handler runs', () => {
  const { schemas } = windowHandlers(deps().deps);
  const refused: [keyof typeof schemas, unknown[]][] = [
    ['jobs:remove-pending', ['gpu', []]],
    ['jobs:remove-pending', ['gpu', 'a']],
    ['jobs:remove-pending', ['gpu', [42]]],
    ['outputs:open', ['gpu', 'j1', -1]],
    ['outputs:open', ['gpu', 'j1', 0.5]],
    ['outputs:open', ['gpu', 'j1', '0']],
    ['outputs:show-in-folder', ['gpu', 'j1']],
    ['servers:open-web-ui', ['']],
    ['app:open-log-folder', ['/etc']],
    ['jobs:move', ['gpu', ['a'], 'middle']],
    ['jobs:move', ['gpu', [], 'front']],
    ['queue:pause', []],
    ['queue:resume', ['gpu', 'extra']],
  ];
  for (const [channel, args] of refused) assert.equal(schemas[channel].safeParse(args).success, false, `${channel} ${JSON.stringify(args)}`);
  assert.equal(schemas['outputs:open'].safeParse(['gpu', 'j1', 3]).success, true);
  assert.equal(schemas['jobs:remove-pending'].safeParse(['gpu', ['a', 'b']]).success, true);
  assert.equal(schemas['jobs:move'].safeParse(['gpu', ['a', 'b'], 'back']).success, true);
});

test('the viewer gets an output in full with its kind and saved path, or a coded reason; only known media types pass', async () => {
  const { deps: d, log } = deps();
  const { handlers } = windowHandlers(d);
  assert.deepEqual(await handlers['outputs:media']('gpu', 'j1', 0), { ok: true, kind: 'video', mime: 'video/webm', bytes: new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]), savedPath: '/pictures/gpu/clip.webm' });
  assert.equal((await handlers['outputs:media']('gpu', 'j1', 9)).ok, false);
  for (const [unavailable, code] of [
    ['too-large', 'OUTPUT_TOO_LARGE'],
    ['not-media', 'OUTPUT_NOT_SHOWABLE'],
    ['gone', 'OUTPUT_NOT_FOUND'],
  ] as const) {
    const refused = windowHandlers(deps({ outputMedia: async () => ({ unavailable }) }).deps).handlers;
    const answer = await refused['outputs:media']('gpu', 'j1', 0);
    assert.ok(!answer.ok && answer.code === code, JSON.stringify(answer));
  }
  // A type the window does not know is never handed to it, whatever the engine said.
  const odd = windowHandlers(deps({ outputMedia: async () => ({ kind: 'image', mime: 'image/svg+xml', bytes: new Uint8Array([60]) }) }).deps).handlers;
  assert.equal((await odd['outputs:media']('gpu', 'j1', 0)).ok, false);
  const failing = windowHandlers(deps({ outputMedia: async () => Promise.reject(new ComfyTrayError('COMFY_UNREACHABLE', 'server gone')) }).deps).handlers;
  assert.deepEqual(await failing['outputs:media']('gpu', 'j1', 0), { ok: false, code: 'COMFY_UNREACHABLE', message: 'server gone' });

  assert.deepEqual(await handlers['outputs:copy-image']('gpu', 'j1', 0), { ok: true });
  assert.deepEqual(log, ['clipboard image/png 2']);
  const notImage = windowHandlers(deps({ outputImage: async () => undefined }).deps).handlers;
  assert.equal((await notImage['outputs:copy-image']('gpu', 'j1', 0)).ok, false);
  const undecodable = windowHandlers(deps({ copyImage: () => false }).deps).handlers;
  assert.deepEqual(await undecodable['outputs:copy-image']('gpu', 'j1', 0), { ok: false, code: 'CLIPBOARD_FAILED', message: 'This image could not be put on the clipboard (its format is not supported here)' });
});

test('a run id pasted in the window is followed; an unknown one comes back as its code, and the id is checked', async () => {
  const { deps: d, log } = deps({
    follow: async (serverId, jobId) => {
      if (jobId === 'nope') throw new ComfyTrayError('COMFY_JOB_NOT_FOUND', 'ComfyControl has no run nope on this account');
      log.push(`follow ${serverId} ${jobId}`);
    },
  });
  const { handlers, schemas } = windowHandlers(d);
  assert.deepEqual(await handlers['jobs:follow']('cc', '  run-1 '), { ok: true });
  assert.deepEqual(log, ['follow cc run-1']);
  assert.deepEqual(await handlers['jobs:follow']('cc', 'nope'), { ok: false, code: 'COMFY_JOB_NOT_FOUND', message: 'ComfyControl has no run nope on this account' });
  assert.equal(schemas['jobs:follow'].safeParse(['cc', '']).success, false);
  assert.equal(schemas['jobs:follow'].safeParse(['cc', 'x'.repeat(201)]).success, false);
});
