// kill -9 at any moment loses nothing acknowledged and duplicates nothing: a separate process runs a known sequence
// of journal operations (journal-workload.ts) and says which are acknowledged (their promises resolved), and is
// SIGKILLed at many different moments, in appends and in compactions alike. What the journal then reads back must be
// exactly the state after some number of operations, never fewer than were acknowledged. A crash can cut at most the
// last line short; cutting the file at every byte of what was appended shows that is read back the same way.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Journal, JOURNAL_FILE, type JournalOptions } from '../../../electron/core/jobs/journal.js';
import { tempDir } from '../../support/events.js';
import { dump, durable, expectedStates, runOp, workload, WORKLOAD_OPTIONS, type Group } from './journal-workload.js';

const JOURNAL_MODULE = new URL('../../../electron/core/jobs/journal.ts', import.meta.url).href;
const WORKLOAD_MODULE = new URL('./journal-workload.ts', import.meta.url).href;
const SEED = 20_261_123;
const GROUPS = 160;

/** Which of `states` (the state after n operations) the journal in `dir` reads back as, or -1. */
async function recoveredAt(dir: string, states: readonly string[], groups: readonly Group[], options: JournalOptions = WORKLOAD_OPTIONS): Promise<{ at: number; warning?: string }> {
  const { journal, warning } = await Journal.open(join(dir, JOURNAL_FILE), options);
  const found = JSON.parse(JSON.stringify(dump(journal, groups))) as unknown;
  // The latest match: operations that change nothing (a client id set again) leave equal states side by side.
  for (let at = states.length - 1; at >= 0; at--) {
    if (isDeepStrictEqual(JSON.parse(states[at]!), found)) return warning === undefined ? { at } : { at, warning };
  }
  return warning === undefined ? { at: -1 } : { at: -1, warning };
}

/**
 * Where the child kills itself (SIGKILL), at the `count`-th call of a file operation of its journal: in the middle of a
 * write (half the bytes written), before an fsync, just before or just after the rename that ends a compaction.
 */
type Hook = { readonly where: 'write-half' | 'before-sync' | 'before-rename' | 'after-rename'; readonly count: number };

/**
 * Runs the workload in another process, which prints `ack N` once the first N operations are on disk. It is killed
 * from here once it acknowledged `killAfterAck`, or kills itself where `hook` says: the file system functions the
 * journal calls are wrapped in the child (node:module's syncBuiltinESMExports), the journal itself is unchanged.
 */
function runChild(dir: string, kill: { killAfterAck: number } | { hook: Hook }): { acked: Promise<number>; exited: Promise<[number | null, string | null]> } {
  const hook = 'hook' in kill ? kill.hook : undefined;
  const script = `
    const { createRequire, syncBuiltinESMExports } = await import('node:module');
    const require = createRequire(process.cwd() + '/');
    const fsp = require('node:fs/promises');
    const hook = ${JSON.stringify(hook ?? null)};
    const die = () => process.kill(process.pid, 'SIGKILL');
    let calls = 0;
    const now = (where) => hook !== null && hook.where === where && ++calls === hook.count;
    if (hook !== null) {
      const probe = await fsp.open(process.execPath, 'r');
      const handle = Object.getPrototypeOf(probe);
      await probe.close();
      const write = handle.write;
      handle.write = async function (data, offset, length, position) {
        if (now('write-half')) {
          await write.call(this, data, offset, Math.max(1, Math.floor(length / 2)), position);
          die();
        }
        return write.call(this, data, offset, length, position);
      };
      for (const name of ['sync', 'datasync']) {
        const original = handle[name];
        handle[name] = async function () {
          if (now('before-sync')) die();
          return original.call(this);
        };
      }
      // Appends write and sync through the callback and synchronous functions.
      const fs = require('node:fs');
      const writeSync = fs.writeSync;
      fs.writeSync = (fd, data, offset, length, position) => {
        if (now('write-half')) {
          writeSync(fd, data, offset, Math.max(1, Math.floor(length / 2)), position);
          die();
        }
        return writeSync(fd, data, offset, length, position);
      };
      const fdatasync = fs.fdatasync;
      fs.fdatasync = (fd, callback) => {
        if (now('before-sync')) die();
        return fdatasync(fd, callback);
      };
      const rename = fsp.rename;
      fsp.rename = async (from, to) => {
        if (now('before-rename')) die();
        await rename(from, to);
        if (now('after-rename')) die();
      };
      syncBuiltinESMExports();
    }
    const { Journal, JOURNAL_FILE } = await import(${JSON.stringify(JOURNAL_MODULE)});
    const { workload, runOp, WORKLOAD_OPTIONS } = await import(${JSON.stringify(WORKLOAD_MODULE)});
    const { join } = await import('node:path');
    const { journal } = await Journal.open(join(${JSON.stringify(dir)}, JOURNAL_FILE), WORKLOAD_OPTIONS);
    let done = 0;
    for (const group of workload(${SEED}, ${GROUPS})) {
      const writes = group.map((op) => runOp(journal, op));
      done += group.length;
      await Promise.all(writes);
      process.stdout.write('ack ' + done + '\\n');
    }
    await journal.flush();
    // Never exits on its own: a kill timed by an acknowledgement must land even when the last writes outrun it on a
    // loaded machine. The parent ends it (and a hook that never fired is reported as such).
    process.stdout.write('done\\n');
    setInterval(() => undefined, 60_000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const acked = (async () => {
    let last = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line === 'done') {
        // Every operation went through: a timed kill lands now (a crash after the last write is a crash too); a hook
        // that never fired ends the child with another signal, which the test reports.
        child.kill('killAfterAck' in kill ? 'SIGKILL' : 'SIGTERM');
        continue;
      }
      const match = /^ack (\d+)$/.exec(line);
      if (!match) continue;
      last = Number(match[1]);
      // Killed while it goes on writing: where the signal lands depends on timing, which is the point.
      if ('killAfterAck' in kill && last >= kill.killAfterAck && child.exitCode === null) child.kill('SIGKILL');
    }
    return last;
  })();
  return { acked, exited };
}

test('kill -9 at many moments: the journal reads back as the state after some operations, every acknowledged one included', { timeout: 300_000 }, async (t) => {
  const groups = workload(SEED, GROUPS);
  const total = groups.flat().length;
  assert.ok(groups.every((group) => group.some(durable)), 'every group is acknowledged');
  const states = await expectedStates(async () => (await Journal.open(join(await tempDir(t), JOURNAL_FILE), WORKLOAD_OPTIONS)).journal, groups);

  const timed = 8;
  const kills: ({ killAfterAck: number } | { hook: Hook })[] = [
    // Spread over the whole run; the first right after the first acknowledgement.
    ...Array.from({ length: timed }, (_, k) => ({ killAfterAck: Math.max(1, Math.floor((k / timed) * total)) })),
    ...[1, 9, 40, 120].map((count) => ({ hook: { where: 'write-half' as const, count } })),
    ...[2, 60].map((count) => ({ hook: { where: 'before-sync' as const, count } })),
    ...[1, 3].map((count) => ({ hook: { where: 'before-rename' as const, count } })),
    ...[2, 4].map((count) => ({ hook: { where: 'after-rename' as const, count } })),
  ];
  const recovered: number[] = [];
  let torn = 0;
  let midCompaction = 0;
  for (const [k, kill] of kills.entries()) {
    const what = JSON.stringify(kill);
    const dir = await tempDir(t);
    const { acked, exited } = runChild(dir, kill);
    const [ack, [, signal]] = await Promise.all([acked, exited]);
    assert.equal(signal, 'SIGKILL', `${what}: the child was killed before it finished`);
    const text = await readFile(join(dir, JOURNAL_FILE), 'utf8').catch(() => '');
    if (text !== '' && !text.endsWith('\n')) torn++;
    if ((await readdir(dir)).some((name) => name.endsWith('.tmp'))) midCompaction++;
    const { at, warning } = await recoveredAt(dir, states, groups);
    assert.equal(warning, undefined, `${what}: nothing damaged, at most a last line cut short`);
    assert.ok(at >= 0, `${what}: the state read back is the state after some number of operations`);
    assert.ok(at >= ack, `${what}: ${ack} operations were acknowledged, ${at} read back`);
    recovered.push(at);
    // Reopened after the crash, it goes on from there: more writes, read back intact.
    const { journal } = await Journal.open(join(dir, JOURNAL_FILE), WORKLOAD_OPTIONS);
    await journal.recordFinished('gpu-a', { serverId: 'gpu-a', id: `after-crash-${k}`, status: 'completed', submittedBy: 'other', outputs: [] });
    const again = await Journal.open(join(dir, JOURNAL_FILE), WORKLOAD_OPTIONS);
    assert.equal(again.warning, undefined);
    assert.equal(again.journal.isSettled('gpu-a', `after-crash-${k}`), true);
    assert.ok((await readdir(dir)).every((name) => !name.endsWith('.tmp')), 'no temporary file left beside it');
  }
  t.diagnostic(`operations read back after each kill: ${recovered.join(', ')} of ${total}; ${torn} kills left a last line cut short, ${midCompaction} a compaction unfinished`);
  assert.ok(torn >= 1, 'some kills cut a line short');
  assert.ok(midCompaction >= 1, 'some kills interrupted a compaction');
  assert.ok(new Set(recovered).size >= kills.length / 2, 'the kills landed at many different points');
});

test('a file cut at any byte of what was appended reads back as the state after its complete lines, without a warning', async (t) => {
  // No compaction: everything after the first snapshot is appended, one acknowledged group at a time.
  const options: JournalOptions = { ...WORKLOAD_OPTIONS, compaction: { minBytes: 10_000_000 } };
  const groups = workload(SEED + 1, 8);
  const states = await expectedStates(async () => (await Journal.open(join(await tempDir(t), JOURNAL_FILE), options)).journal, groups);
  const dir = await tempDir(t);
  const path = join(dir, JOURNAL_FILE);
  const { journal } = await Journal.open(path, options);
  // The file's size once each number of operations was on disk.
  const sizeAfter = new Map<number, number>();
  let done = 0;
  await journal.flush();
  sizeAfter.set(0, (await stat(path)).size);
  for (const group of groups) {
    await Promise.all(group.map((op) => runOp(journal, op)));
    done += group.length;
    sizeAfter.set(done, (await stat(path)).size);
  }
  const whole = await readFile(path);
  const first = sizeAfter.get(0)!;
  const cutDir = await tempDir(t);
  for (let cut = first; cut <= whole.length; cut++) {
    await writeFile(join(cutDir, JOURNAL_FILE), whole.subarray(0, cut));
    const { at, warning } = await recoveredAt(cutDir, states, groups, options);
    const complete = [...sizeAfter].filter(([, size]) => size <= cut).map(([ops]) => ops);
    assert.equal(warning, undefined, `cut at ${cut}`);
    // Lines of one group share a write: a cut inside it may keep some of the group's operations, never a line half.
    const floor = Math.max(0, ...complete);
    assert.ok(at >= floor, `cut at ${cut}: ${at} operations read back, ${floor} were on disk`);
    const nextGroup = [...sizeAfter.keys()].find((ops) => ops > floor) ?? floor;
    assert.ok(at <= nextGroup, `cut at ${cut}: ${at} operations read back, at most ${nextGroup} written`);
  }
});
