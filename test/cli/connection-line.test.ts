// The connection line follows what the server supports: capabilities learnt after the socket is up (its feature
// flags) are printed as a corrected line, with the simulator as the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionLine, ConnectionLineFilter } from '../../electron/cli/json-lines.js';
import type { ServerView } from '../../electron/shared/app-state.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { tempDir } from '../support/events.js';
import { startWatch, type Line } from './watch-harness.js';

const previews = (line: Line): unknown => (line.capabilities as { supportsPreviewMetadata?: boolean } | undefined)?.supportsPreviewMetadata;

test('watch prints the connection again when the server\'s feature flags change what it supports', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const headless = startWatch({ servers: [sim.url], dataDir: await tempDir(t) });
  t.after(() => headless.stop());
  const isConnected = (l: Line): boolean => l.event === 'connection' && l.state === 'connected';
  await headless.until((l) => isConnected(l) && previews(l) === true);

  // Feature flags that arrive while connected (a server that answers the handshake late, or changes its mind).
  let from = headless.seen.length;
  sim.sendRaw(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: false } }));
  const corrected = await headless.until((l) => isConnected(l) && previews(l) === false, { from });
  assert.equal(corrected.version, '0.28.0');
  from = headless.seen.length;
  sim.sendRaw(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: false } }));
  sim.sendRaw(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
  await headless.until((l) => isConnected(l) && previews(l) === true, { from });
  assert.equal(await headless.stop(), 0);
  const connectedLines = headless.seen.filter(isConnected).map(previews);
  assert.deepEqual(connectedLines.slice(-3), [true, false, true], 'one line per change, none for a repeat');
  assert.ok(connectedLines.every((value, i) => i === 0 || value !== connectedLines[i - 1]), 'no line repeats the one before');
});

test('a connected server whose job lists fail gets a line with the problem, and one more when it clears', () => {
  const filter = new ConnectionLineFilter();
  const base: ServerView = { id: 'local', name: 'local', url: 'http://127.0.0.1:9/', state: 'connected', version: '0.8.0' };
  const problem = { code: 'COMFY_HTTP_STATUS', message: 'cannot list jobs: HTTP 500 from http://127.0.0.1:9/api/jobs', since: 1 };
  assert.equal(filter.shouldPrint(base), true);
  assert.equal(filter.shouldPrint({ ...base, problem }), true);
  assert.deepEqual(connectionLine({ ...base, problem }).problem, { code: problem.code, message: problem.message });
  assert.equal(filter.shouldPrint({ ...base, problem: { ...problem, since: 2 } }), false, 'the same problem is not printed twice');
  assert.equal(filter.shouldPrint(base), true);
  assert.equal(connectionLine(base).problem, undefined);
  assert.equal(connectionLine({ ...base, state: 'reconnecting', problem }).problem, undefined, 'only a connected server has this kind of problem');
});
