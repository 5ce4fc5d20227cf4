import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authHeaders, parseBaseUrl, resolveServer, routeLabel, routeUrl, serverIdForUrl, socketUrl } from '../../../electron/core/comfy/server-config.js';

test('base URLs keep a reverse-proxy path prefix and build /api routes under it', () => {
  const base = parseBaseUrl('https://gpu.example.com/comfy');
  assert.equal(base.href, 'https://gpu.example.com/comfy/');
  assert.equal(routeUrl(base, 'api/jobs', { limit: 1, status: undefined }).href, 'https://gpu.example.com/comfy/api/jobs?limit=1');
  assert.equal(socketUrl(base, 'abc').href, 'wss://gpu.example.com/comfy/ws?clientId=abc');
  assert.equal(socketUrl(parseBaseUrl('127.0.0.1:8188'), 'x').href, 'ws://127.0.0.1:8188/ws?clientId=x');
});

test('credentials in the URL become basic auth and never stay in the URL or the id', () => {
  const server = resolveServer({ id: 's', name: 's', url: 'http://me:p%40ss@box:8188/' });
  assert.equal(server.baseUrl.href, 'http://box:8188/');
  assert.deepEqual(server.auth, { kind: 'basic', username: 'me', password: 'p@ss' });
  assert.equal(authHeaders(server.auth).authorization, `Basic ${Buffer.from('me:p@ss').toString('base64')}`);
  assert.equal(serverIdForUrl('http://me:secret@box:8188'), 'http://box:8188');
});

test('every auth kind maps to its header', () => {
  assert.deepEqual(authHeaders({ kind: 'bearer', token: 't' }), { authorization: 'Bearer t' });
  assert.deepEqual(authHeaders({ kind: 'api-key', key: 'k' }), { 'x-api-key': 'k' });
  assert.deepEqual(authHeaders({ kind: 'header', name: 'X-Proxy-Token', value: 'v' }), { 'x-proxy-token': 'v' });
  assert.deepEqual(authHeaders({ kind: 'none' }), {});
});

test('bad settings are refused with CONFIG_INVALID and no credentials in the message', () => {
  assert.throws(() => parseBaseUrl('ftp://box'), { code: 'CONFIG_INVALID' });
  assert.throws(() => resolveServer({ id: '', name: 'x', url: 'http://a' }), { code: 'CONFIG_INVALID' });
  assert.throws(() => resolveServer({ id: 'a', name: 'x', url: 'http://a', auth: { kind: 'header', name: 'bad header', value: 'v' } }), { code: 'CONFIG_INVALID' });
  assert.throws(() => parseBaseUrl('http://user:secret@[bad'), (error: Error) => !error.message.includes('secret'));
});

test('messages name a route by its whole URL, slash kept, without credentials or query', () => {
  const base = parseBaseUrl('https://me:secret@gpu.example.com:9/comfy?token=abc');
  assert.equal(routeLabel(base, 'api/system_stats'), 'https://gpu.example.com:9/comfy/api/system_stats');
  assert.equal(routeLabel(parseBaseUrl('http://127.0.0.1:9'), 'api/jobs'), 'http://127.0.0.1:9/api/jobs');
});
