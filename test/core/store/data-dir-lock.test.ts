// The data folder's lock: one writer at a time, a dead holder's lock taken over, a live one refused with who holds it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { DataDirLock, DataDirLockedError, LOCK_FILE } from '../../../electron/core/store/data-dir-lock.js';
import { tempDir } from '../../support/events.js';

const LOCK_MODULE = new URL('../../../electron/core/store/data-dir-lock.ts', import.meta.url).href;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isLocked(error: unknown): boolean {
  return error instanceof DataDirLockedError && error.code === 'DATA_DIR_LOCKED';
}

/** A separate process that takes the lock, says so, and then exits cleanly or waits to be killed. */
function holdInChild(dataDir: string, then: 'exit' | 'wait'): { pid: number; held: Promise<void>; exited: Promise<unknown>; stdin: NodeJS.WritableStream } {
  const script = `
    const { DataDirLock } = await import(${JSON.stringify(LOCK_MODULE)});
    await DataDirLock.acquire(${JSON.stringify(dataDir)}, 'watch');
    process.stdout.write('held\\n');
    ${then === 'exit' ? "process.stdin.once('data', () => process.exit(0));" : 'setInterval(() => undefined, 60_000);'}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const held = (async () => {
    for await (const line of createInterface({ input: child.stdout })) if (line === 'held') return;
    throw new Error('the child ended without taking the lock');
  })();
  return { pid: child.pid!, held, exited, stdin: child.stdin };
}

test('a held folder is refused (DATA_DIR_LOCKED, naming the holder) until released', async (t) => {
  const dir = await tempDir(t);
  const first = await DataDirLock.acquire(dir, 'app');
  await assert.rejects(DataDirLock.acquire(dir, 'watch'), (error: unknown) => {
    assert.ok(isLocked(error));
    const { holder, message } = error as DataDirLockedError;
    assert.equal(holder?.pid, process.pid);
    assert.equal(holder?.purpose, 'app');
    assert.match(message, new RegExp(`The Comfy Tray app \\(pid ${process.pid}`));
    assert.equal(message.split('\n').length, 1);
    return true;
  });
  assert.equal((await DataDirLock.holder(dir))?.token, first.holder.token);
  await first.release();
  assert.equal(await exists(join(dir, LOCK_FILE)), false);
  assert.equal(await DataDirLock.holder(dir), undefined);
  const second = await DataDirLock.acquire(dir, 'watch');
  await second.release();
});

test('of many takers at once, exactly one gets the lock, also when they all find a dead holder\'s lock', async (t) => {
  for (const leftover of [false, true]) {
    const dir = await tempDir(t);
    if (leftover) await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 424242, hostname: hostname(), startedAt: 0, purpose: 'app', token: 'dead' }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => DataDirLock.acquire(dir, 'watch', { isAlive: (pid) => pid === process.pid })));
    const won = results.filter((r): r is PromiseFulfilledResult<DataDirLock> => r.status === 'fulfilled');
    assert.equal(won.length, 1, leftover ? 'with a stale lock' : 'with no lock');
    assert.ok(results.every((r) => r.status === 'fulfilled' || isLocked(r.reason)));
    assert.equal((await DataDirLock.holder(dir))?.token, won[0]!.value.holder.token);
    await won[0]!.value.release();
  }
});

test('a lock held by a live process is refused; once that process is killed, its lock is taken over', { timeout: 20_000 }, async (t) => {
  const [killedDir, exitedDir] = [await tempDir(t), await tempDir(t)];
  const killed = holdInChild(killedDir, 'wait');
  const exited = holdInChild(exitedDir, 'exit');
  t.after(() => {
    if (processExists(killed.pid)) process.kill(killed.pid, 'SIGKILL');
  });
  await Promise.all([killed.held, exited.held]);

  await assert.rejects(DataDirLock.acquire(killedDir, 'watch'), (error: unknown) => isLocked(error) && (error as DataDirLockedError).holder?.pid === killed.pid);
  process.kill(killed.pid, 'SIGKILL');
  await killed.exited;
  assert.equal(await exists(join(killedDir, LOCK_FILE)), true, 'SIGKILL leaves the lock behind');
  const takenOver = await DataDirLock.acquire(killedDir, 'watch');
  assert.equal(takenOver.holder.pid, process.pid);
  await takenOver.release();

  // A process that ends without releasing (process.exit) still removes its lock on the way out.
  exited.stdin.end('exit\n');
  await exited.exited;
  assert.equal(await exists(join(exitedDir, LOCK_FILE)), false);
});

test('a lock left by an earlier process with this same pid (a restarted container) is stale', async (t) => {
  const dir = await tempDir(t);
  const leftover = { pid: process.pid, hostname: hostname(), startedAt: Date.now() - 60_000, purpose: 'watch', token: 'from-an-earlier-run' };
  await writeFile(join(dir, LOCK_FILE), JSON.stringify(leftover));
  const lock = await DataDirLock.acquire(dir, 'watch');
  assert.notEqual(lock.holder.token, leftover.token);
  await lock.release();
});

test('a dead pid is judged by the injected liveness check; another machine\'s lock is never taken over', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, LOCK_FILE);
  await writeFile(path, JSON.stringify({ pid: 424242, hostname: hostname(), startedAt: 0, purpose: 'app', token: 't' }));
  await assert.rejects(DataDirLock.acquire(dir, 'watch', { isAlive: () => true }), isLocked);
  const lock = await DataDirLock.acquire(dir, 'watch', { isAlive: () => false });
  await lock.release();

  await writeFile(path, JSON.stringify({ pid: 424242, hostname: `not-${hostname()}`, startedAt: 0, purpose: 'watch', token: 't' }));
  await assert.rejects(DataDirLock.acquire(dir, 'watch', { isAlive: () => false }), (error: unknown) => isLocked(error) && /on not-/.test((error as Error).message));
});

test('an unreadable lock file is respected while it may still be being written, and taken over when old', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, LOCK_FILE);
  await writeFile(path, '{"pid":');
  await assert.rejects(DataDirLock.acquire(dir, 'watch'), (error: unknown) => isLocked(error) && (error as DataDirLockedError).holder === undefined);
  const old = new Date(Date.now() - 60_000);
  await utimes(path, old, old);
  const lock = await DataDirLock.acquire(dir, 'watch');
  await lock.release();
});

test('release leaves alone a lock that someone else took over meanwhile', async (t) => {
  const dir = await tempDir(t);
  const lock = await DataDirLock.acquire(dir, 'watch');
  const path = join(dir, LOCK_FILE);
  const other = JSON.stringify({ pid: 424242, hostname: hostname(), startedAt: Date.now(), purpose: 'app', token: 'someone-else' });
  await writeFile(path, other);
  await lock.release();
  assert.equal(await readFile(path, 'utf8'), other);
});
