// The server editor as data: the groups and fields each authentication method brings, and what is said under them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverFieldGroups } from '../../../renderer/models/server-fields.js';
import type { ServerForm } from '../../../renderer/models/settings-model.js';

const base: ServerForm = {
  key: 'k1',
  id: 'a',
  name: 'Studio',
  url: 'http://studio.lan:8188',
  enabled: true,
  authKind: 'none',
  username: '',
  headerName: '',
  secret: '',
  original: { kind: 'none' },
  saveOutputs: 'default',
  outputFolder: '',
  notify: {},
};

const fieldsOf = (server: ServerForm, group: string): string[] => serverFieldGroups(server).find((g) => g.id === group)!.fields.map((f) => `${f.id}:${f.label}`);

test('the groups, and the authentication fields of each method', () => {
  assert.deepEqual(serverFieldGroups(base).map((g) => g.title), ['Connection', 'Authentication', 'Saving outputs', 'Notifications']);
  assert.deepEqual(fieldsOf(base, 'connection'), ['enabled:Follow this server', 'name:Name', 'url:Address']);
  assert.deepEqual(fieldsOf(base, 'auth'), ['auth:Method']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'basic' }, 'auth'), ['auth:Method', 'username:User name', 'secret:Password']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'header' }, 'auth'), ['auth:Method', 'headerName:Header name', 'secret:Header value']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'bearer' }, 'auth'), ['auth:Method', 'secret:Token']);
  assert.deepEqual(fieldsOf({ ...base, authKind: 'api-key' }, 'auth'), ['auth:Method', 'secret:API key']);
});

test('a stored secret is said to be kept; credentials typed into the address are said to move', () => {
  const kept = serverFieldGroups({ ...base, authKind: 'bearer', original: { kind: 'bearer', hasSecret: true } }).find((g) => g.id === 'auth')!.fields.find((f) => f.id === 'secret')!;
  assert.equal(kept.hint, 'Saved. Leave empty to keep it.');
  const url = serverFieldGroups({ ...base, url: 'http://alice:pw@studio.lan:8188' }).find((g) => g.id === 'connection')!.fields.find((f) => f.id === 'url')!;
  assert.match(url.hint ?? '', /will be moved to Authentication \(Basic\)/);
});
