// What Test connection says: what was reached and what it can do, or what failed, the exact error, and what to check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionTestText } from '../../../renderer/models/connection-test-text.js';

const URL = 'http://studio.lan:8188';

test('reached: the version and the features, or that it is an older server', () => {
  assert.deepEqual(connectionTestText({ ok: true, version: '0.28.0', capabilities: { jobsApi: true, cancelEndpoint: false, targetedInterrupt: true, supportsPreviewMetadata: false } }, URL), {
    ok: true,
    headline: `Connected to ComfyUI 0.28.0 at ${URL}`,
    detail: 'Supports: job list API, targeted interrupt.',
  });
  assert.equal(connectionTestText({ ok: true, capabilities: { jobsApi: false, cancelEndpoint: false, targetedInterrupt: false, supportsPreviewMetadata: false } }, URL).detail, 'An older server: jobs are followed through /queue and /history.');
});

test('failed: what happened in words, the exact error with its code, and what to check', () => {
  for (const [code, headline, hint] of [
    ['COMFY_UNREACHABLE', `Nothing answered at ${URL}`, /--listen/],
    ['COMFY_TIMEOUT', `${URL} did not answer in time`, /proxy/],
    ['COMFY_AUTH_FAILED', `${URL} refused the credentials`, /authentication method/],
    ['COMFY_INCOMPATIBLE', `Something answered at ${URL}, but not ComfyUI`, /path prefix/],
  ] as const) {
    const text = connectionTestText({ ok: false, code, message: 'exact words' }, URL);
    assert.equal(text.headline, headline);
    assert.equal(text.detail, `exact words (${code})`);
    assert.match(text.hint ?? '', hint);
  }
  assert.deepEqual(connectionTestText({ ok: false, code: 'IPC_FAILED', message: 'gone' }, URL), { ok: false, headline: 'The test failed', detail: 'gone (IPC_FAILED)' });
});
