// The server editor as data: the groups and fields each kind and each authentication method brings, and what is said
// under them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverFieldGroups } from '../../../renderer/models/server-fields.js';
import type { ServerForm } from '../../../renderer/models/settings-model.js';

const base: ServerForm = {
  key: 'k1',
  kind: 'comfyui',
  id: 'a',
  name: 'Studio',
  url: 'http://studio.lan:8188',
  enabled: true,
  authKind: 'none',
  username: '',
  headerName: '',
  tlsFingerprint: '',
  secret: '',
  original: { kind: 'none' },
  originalUrl: 'http://studio.lan:8188',
  saveOutputs: 'default',
  outputFolder: '',
  notify: {},
};

const fieldsOf = (server: ServerForm, group: string): string[] => serverFieldGroups(server).find((g) => g.id === group)!.fields.map((f) => `${f.id}:${f.label}`);

test('the groups, and the authentication fields of each method', () => {
  assert.deepEqual(serverFieldGroups(base).map((g) => g.title), ['Connection', 'Authentication', 'Saving outputs', 'Notifications']);
  assert.deepEqual(fieldsOf(base, 'connection'), ['enabled:Follow this server', 'kind:Kind', 'name:Name', 'url:Address', 'tlsFingerprint:Trusted certificate (SHA-256)']);
  assert.deepEqual(fieldsOf(base, 'auth'), ['auth:Method']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'basic' }, 'auth'), ['auth:Method', 'username:User name', 'secret:Password']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'header' }, 'auth'), ['auth:Method', 'headerName:Header name', 'secret:Header value']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'bearer' }, 'auth'), ['auth:Method', 'secret:Token']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'api-key' }, 'auth'), ['auth:Method', 'secret:API key']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'query-token' }, 'auth'), ['auth:Method', 'secret:Token']);
});

test('a hosted kind asks for its own credential only, with no method and no certificate; its address says what it is', () => {
  const cloud: ServerForm = { ...base, kind: 'comfy-cloud', url: 'https://cloud.comfy.org', authKind: 'api-key' };
  assert.deepEqual(fieldsOf(cloud, 'auth'), ['secret:API key (from platform.comfy.org)']);
  assert.deepEqual(fieldsOf(cloud, 'connection'), ['enabled:Follow this server', 'kind:Kind', 'name:Name', 'url:Address']);
  assert.match(serverFieldGroups(cloud).find((g) => g.id === 'connection')!.fields.find((f) => f.id === 'url')!.hint ?? '', /Every job of the account/);
  assert.deepEqual(fieldsOf({ ...base, kind: 'comfycontrol', authKind: 'bearer' }, 'auth'), ['secret:API token']);
});

test('a stored secret is said to be kept; credentials typed into the address are said to move', () => {
  const kept = serverFieldGroups({ ...base, authKind: 'bearer', original: { kind: 'bearer', hasSecret: true } }).find((g) => g.id === 'auth')!.fields.find((f) => f.id === 'secret')!;
  assert.equal(kept.hint, 'Saved. Leave empty to keep it.');
  const url = serverFieldGroups({ ...base, url: 'http://alice:pw@studio.lan:8188' }).find((g) => g.id === 'connection')!.fields.find((f) => f.id === 'url')!;
  assert.match(url.hint ?? '', /will be moved to Authentication \(Basic\)/);
});
