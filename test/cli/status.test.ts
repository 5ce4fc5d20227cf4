// `status JOB_ID`: the server's answer decides the exit code (0 known, 1 not known, 3 could not be asked); the
// journal's copy is shown, marked as such, when the server has none; the journal is read and never written.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { askingFailed, status } from '../../electron/cli/commands.js';
import { serverIdForUrl } from '../../electron/core/comfy/server-config.js';
import { Engine } from '../../electron/core/engine.js';
import { ComfyTrayError } from '../../electron/core/errors.js';
import { JOURNAL_FILE, LEGACY_JOURNAL_FILE } from '../../electron/core/jobs/journal.js';
import { DataDirLock } from '../../electron/core/store/data-dir-lock.js';
import { ComfySimulator } from '../support/comfy-simulator.js';
import { nextEvent, tempDir } from '../support/events.js';
import { captureIo, parseLines, type Line } from './watch-harness.js';

const prompt = { '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 3 } }, '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'st' } } };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

async function runStatus(server: string, jobId: string, dataDir: string): Promise<{ code: number; line: Line; stderr: string }> {
  const captured = captureIo();
  const code = await status({ server, jobId, dataDir }, captured.io);
  const lines = parseLines(captured.stdoutText());
  assert.equal(lines.length, 1, 'one JSON line on stdout');
  return { code, line: lines[0]!, stderr: captured.stderrText() };
}

/** A job the engine (as the app runs it) saw finish, so the journal holds its record. */
async function finishedInJournal(sim: ComfySimulator, dataDir: string): Promise<string> {
  const engine = await Engine.create({ dataDir, servers: [{ id: serverIdForUrl(sim.url), name: 'sim', url: sim.url }] });
  const connected = nextEvent(engine.events, 'server', (s) => s.state === 'connected');
  engine.start();
  await connected;
  await engine.settled();
  const { promptId } = sim.enqueue(prompt);
  await nextEvent(engine.events, 'job-finished', (job) => job.id === promptId);
  await engine.stop();
  return promptId;
}

test('status exits 0 only on the server\'s own answer; after a restart 1 with the journal\'s copy; unreachable 3', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const id = await finishedInJournal(sim, dataDir);

  const known = await runStatus(sim.url, id, dataDir);
  assert.equal(known.code, 0);
  assert.equal(known.line.source, 'server');
  assert.equal(known.line.status, 'completed');
  assert.equal(known.line.server, serverIdForUrl(sim.url));

  await sim.restart();
  const forgotten = await runStatus(sim.url, id, dataDir);
  assert.equal(forgotten.code, 1, 'the server no longer knows the job');
  assert.equal(forgotten.line.source, 'journal');
  assert.equal(forgotten.line.id, id);
  assert.equal(forgotten.line.status, 'completed');
  assert.equal(forgotten.line.final, true);

  const unknown = await runStatus(sim.url, UNKNOWN, dataDir);
  assert.equal(unknown.code, 1);
  assert.deepEqual(unknown.line, { event: 'not-found', server: serverIdForUrl(sim.url), serverId: serverIdForUrl(sim.url), id: UNKNOWN });

  await sim.stop();
  const away = await runStatus(sim.url, id, dataDir);
  assert.equal(away.code, 3, 'could not ask the server: not the same as "not found"');
  assert.equal(away.line.source, 'journal');
  assert.match(away.stderr, /\[COMFY_UNREACHABLE\]\n$/);
  assert.equal(away.stderr.split('\n').filter(Boolean).length, 1);
  const awayUnknown = await runStatus(sim.url, UNKNOWN, dataDir);
  assert.equal(awayUnknown.code, 3);
  assert.equal(awayUnknown.line.event, 'unavailable');
  assert.equal(awayUnknown.line.code, 'COMFY_UNREACHABLE');
});

test('status runs beside the folder\'s holder and never writes the journal, not even a corrupt one', { timeout: 20_000 }, async (t) => {
  const sim = await ComfySimulator.start();
  t.after(() => sim.stop());
  const dataDir = await tempDir(t);
  const app = await DataDirLock.acquire(dataDir, 'app');
  t.after(() => app.release());
  // Damaged in the middle (a reader sets it aside), and a version-1 file beside it (a reader removes it).
  const damaged = '{"log":"comfy-tray-journal","version":2,"snapshotBytes":0}\n{"t":"witness","s":"s",\n{"t":"witness","s":"s"}\n';
  const legacy = '{"version":1,"servers":{"half-written';
  await writeFile(join(dataDir, JOURNAL_FILE), damaged);
  await writeFile(join(dataDir, LEGACY_JOURNAL_FILE), legacy);
  const before = (await readdir(dataDir)).sort();

  const { promptId } = sim.enqueue(prompt);
  const { code } = await runStatus(sim.url, promptId, dataDir);
  assert.equal(code, 0);
  assert.equal(await readFile(join(dataDir, JOURNAL_FILE), 'utf8'), damaged, 'left for its owner to deal with');
  assert.equal(await readFile(join(dataDir, LEGACY_JOURNAL_FILE), 'utf8'), legacy);
  assert.deepEqual((await readdir(dataDir)).sort(), before);
});

/** A server that passes for ComfyUI (version, no jobs API) but answers `route` with `body`. */
async function nonsenseServer(t: { after: (fn: () => Promise<void>) => void }, route: string, body: string): Promise<string> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const [status, text] =
      path === '/api/system_stats' ? [200, JSON.stringify({ system: { comfyui_version: '0.3.40' } })] : path === route ? [200, body] : [404, '404: Not Found'];
    response.writeHead(status, { 'content-type': 'application/json' }).end(text);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a server that answers with data ComfyUI never sends exits 3 (could not be asked), not 1 (does not know the job)', async (t) => {
  const dataDir = await tempDir(t);
  for (const [route, body] of [
    ['/api/queue', JSON.stringify({ queue_running: 'busy', queue_pending: 7 })],
    ['/api/queue', 'not json at all'],
  ] as const) {
    const url = await nonsenseServer(t, route, body);
    const { code, line, stderr } = await runStatus(url, UNKNOWN, dataDir);
    assert.equal(code, 3, `${route}: ${body}`);
    assert.deepEqual(line, { event: 'unavailable', server: serverIdForUrl(url), serverId: serverIdForUrl(url), id: UNKNOWN, code: 'COMFY_BAD_RESPONSE' });
    assert.match(stderr, /\[COMFY_BAD_RESPONSE\]\n$/);
    assert.equal(stderr.split('\n').filter(Boolean).length, 1, 'one line on stderr');
  }
});

test('only the server\'s failures and answers that do not parse mean "could not be asked"; a bug is rethrown, not exit 3', () => {
  const zodError = z.object({ queue_running: z.array(z.unknown()) }).safeParse({ queue_running: 'busy' }).error;
  let syntaxError: unknown;
  try {
    JSON.parse('not json at all');
  } catch (error) {
    syntaxError = error;
  }
  assert.equal(askingFailed(new ComfyTrayError('COMFY_TIMEOUT', 'no answer in 15 s'))?.code, 'COMFY_TIMEOUT');
  assert.equal(askingFailed(zodError)?.code, 'COMFY_BAD_RESPONSE');
  assert.match(askingFailed(zodError)?.message ?? '', /queue_running/);
  assert.equal(askingFailed(syntaxError)?.code, 'COMFY_BAD_RESPONSE');
  for (const bug of [new TypeError("Cannot read properties of undefined (reading 'id')"), new RangeError('Invalid time value'), new ComfyTrayError('STORE_WRITE_FAILED', 'disk full'), 'thrown string']) {
    assert.equal(askingFailed(bug), undefined, String(bug));
  }
});
