import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkArguments, linkServer, parseAppLink } from '../../electron/shell/app-links.js';

const RUN = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

test('comfytray://comfycontrol/<id> follows a run; ?server= picks the server', () => {
  assert.deepEqual(parseAppLink(`comfytray://comfycontrol/${RUN}`), { kind: 'comfycontrol-run', runId: RUN });
  assert.deepEqual(parseAppLink(`comfytray://comfycontrol/${RUN}/`), { kind: 'comfycontrol-run', runId: RUN });
  assert.deepEqual(parseAppLink(`COMFYTRAY://ComfyControl/${RUN}?server=cc-2`), { kind: 'comfycontrol-run', runId: RUN, serverId: 'cc-2' });
});

test('anything else is refused: other schemes and hosts, paths, extra parameters, credentials, odd ids', () => {
  for (const link of [
    `https://comfycontrol/${RUN}`,
    `comfytray://cloud/${RUN}`,
    `comfytray://comfycontrol/`,
    `comfytray://comfycontrol/${RUN}/outputs`,
    `comfytray://comfycontrol/..%2F..%2Fetc`,
    `comfytray://comfycontrol/${RUN}?server=a&x=1`,
    `comfytray://comfycontrol/${RUN}?open=https://evil.example`,
    `comfytray://user:pw@comfycontrol/${RUN}`,
    `comfytray://comfycontrol:99/${RUN}`,
    `comfytray://comfycontrol/%E0%A4%A`,
    `comfytray://comfycontrol/${'a'.repeat(300)}`,
    `comfytray://comfycontrol/${RUN}?server=${encodeURIComponent('a b')}`,
    'not a url',
    '',
  ]) {
    assert.equal(parseAppLink(link), undefined, link);
  }
});

test('links among launch arguments are told apart from files', () => {
  assert.deepEqual(linkArguments(['/app/comfy-tray', '--flag', `comfytray://comfycontrol/${RUN}`, 'portrait.png']), [`comfytray://comfycontrol/${RUN}`]);
});

test('the server that follows a linked run', () => {
  const link = { kind: 'comfycontrol-run' as const, runId: RUN };
  const servers = [
    { id: 'local', kind: 'comfyui' as const, enabled: true },
    { id: 'cc', kind: 'comfycontrol' as const, enabled: true },
    { id: 'cc-off', kind: 'comfycontrol' as const, enabled: false },
  ];
  assert.deepEqual(linkServer(link, servers), { serverId: 'cc' });
  assert.deepEqual(linkServer({ ...link, serverId: 'cc' }, servers), { serverId: 'cc' });
  assert.ok('problem' in linkServer({ ...link, serverId: 'cc-off' }, servers));
  assert.ok('problem' in linkServer({ ...link, serverId: 'local' }, servers));
  assert.ok('problem' in linkServer(link, servers.slice(0, 1)));
  assert.ok('problem' in linkServer(link, [...servers, { id: 'cc-2', kind: 'comfycontrol' as const, enabled: true }]));
});
