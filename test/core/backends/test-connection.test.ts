// Test connection says exactly what is wrong, for every kind: it runs the real adapter against simulators, proxies
// and a self-signed server.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import { testConnection } from '../../../electron/core/backends/test-connection.js';
import { ComfySimulator } from '../../support/comfy-simulator.js';
import { TestProxy } from '../../support/test-proxy.js';
import { API_KEY, cloudAccount } from './comfy-cloud/support.js';
import { comfyControl, TOKEN } from './comfycontrol/support.js';

type TestContext = { after: (fn: () => Promise<void>) => void };

async function comfy(t: TestContext): Promise<ComfySimulator> {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  return sim;
}

test('a ComfyUI: its version; behind a proxy that refuses WebSockets, it works but says it will poll', async (t) => {
  const sim = await comfy(t);
  const ok = await testConnection({ id: 's', name: 'S', url: sim.url });
  assert.deepEqual(ok.ok && [ok.version, ok.degraded], ['0.28.0', undefined]);
  const proxy = await TestProxy.start(sim.url, { refuseUpgrades: true });
  t.after(() => proxy.stop());
  const polled = await testConnection({ id: 's', name: 'S', url: proxy.url });
  assert.equal(polled.ok, true);
  assert.equal(polled.ok && polled.degraded?.code, 'COMFY_NO_WEBSOCKET');
});

test('Comfy Cloud: a bad key, no credits and an inactive subscription each have their own code; a good key connects', async (t) => {
  const { cloud } = await cloudAccount(t);
  const cloudServer = (key: string) => ({ kind: 'comfy-cloud' as const, id: 'c', name: 'Cloud', url: cloud.url, auth: { kind: 'api-key' as const, key } });
  const bad = await testConnection(cloudServer('ck-nope'));
  assert.equal(!bad.ok && bad.code, 'COMFY_AUTH_FAILED');
  assert.ok(!bad.ok && !bad.message.includes('ck-nope'));
  cloud.account = 'no-credits';
  const broke = await testConnection(cloudServer(API_KEY));
  assert.equal(!broke.ok && broke.code, 'CLOUD_NO_CREDITS');
  cloud.account = 'inactive';
  const inactive = await testConnection(cloudServer(API_KEY));
  assert.equal(!inactive.ok && inactive.code, 'CLOUD_SUBSCRIPTION_INACTIVE');
  cloud.account = 'ok';
  const good = await testConnection(cloudServer(API_KEY));
  assert.equal(good.ok, true);
  assert.equal(good.ok && good.degraded, undefined, 'the socket took the key as ?token=');
  const missing = await testConnection({ kind: 'comfy-cloud', id: 'c', name: 'Cloud', url: cloud.url });
  assert.equal(!missing.ok && missing.code, 'CONFIG_INVALID');
});

test('ComfyControl: a refused token, then a good one', async (t) => {
  const { cc } = await comfyControl(t);
  const server = (token: string) => ({ kind: 'comfycontrol' as const, id: 'cc', name: 'CC', url: cc.url, auth: { kind: 'bearer' as const, token } });
  const refused = await testConnection(server('revoked'));
  assert.equal(!refused.ok && refused.code, 'COMFY_AUTH_FAILED');
  assert.equal((await testConnection(server(TOKEN))).ok, true);
});

test('a self-signed server: untrusted, showing the certificate presented; another fingerprint is a mismatch', async (t) => {
  const pems = await generate([{ name: 'commonName', value: 'gpu.lan' }], { keyType: 'ec', algorithm: 'sha256' });
  const presented = new X509Certificate(pems.cert).fingerprint256;
  const sim = await comfy(t);
  const proxy = await TestProxy.start(sim.url, { tls: { key: pems.private, cert: pems.cert } });
  t.after(() => proxy.stop());
  const untrusted = await testConnection({ id: 's', name: 'S', url: proxy.url });
  assert.equal(!untrusted.ok && untrusted.code, 'COMFY_TLS_UNTRUSTED');
  assert.ok(!untrusted.ok && untrusted.message.includes(presented), 'the presented fingerprint, to compare and pin');
  const mismatch = await testConnection({ id: 's', name: 'S', url: proxy.url, tlsFingerprint: 'CD'.repeat(32) });
  assert.equal(!mismatch.ok && mismatch.code, 'COMFY_TLS_FINGERPRINT_MISMATCH');
  const pinned = await testConnection({ id: 's', name: 'S', url: proxy.url, tlsFingerprint: presented });
  assert.equal(pinned.ok, true);
  assert.equal(proxy.requests.filter((r) => !r.upgrade).length > 0, true);
});
