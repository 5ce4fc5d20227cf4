// The data folder's lock: one writer at a time, a dead holder's lock taken over, a live one refused with who holds it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomUUID } from 'node:crypto';
import { access, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { DataDirLock, DataDirLockedError, LOCK_FILE, readBootId, type LockHolder } from '../../../electron/core/store/data-dir-lock.js';
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

/** A lock as this process would write it now (this boot's markers), then handed to another pid. */
async function lockOfThisBoot(dir: string, pid: number, edit: (holder: Record<string, unknown>) => void = () => undefined): Promise<Record<string, unknown>> {
  await rm(join(dir, LOCK_FILE), { force: true });
  const own = await DataDirLock.acquire(dir, 'app');
  const holder = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as Record<string, unknown>;
  await own.release();
  Object.assign(holder, { pid, token: `held-by-${pid}` });
  edit(holder);
  await writeFile(join(dir, LOCK_FILE), JSON.stringify(holder));
  return holder;
}

test('a lock from before the machine restarted is stale although its pid now names a live process', async (t) => {
  // The parent of this test process is alive: after a reboot, an old lock's pid often names such a process.
  const livePid = process.ppid;
  const dir = await tempDir(t);
  const holder = await lockOfThisBoot(dir, livePid);
  assert.equal(typeof holder.uptimeAtStart, 'number');
  await assert.rejects(DataDirLock.acquire(dir, 'watch'), (error: unknown) => isLocked(error) && (error as DataDirLockedError).holder?.pid === livePid);
  assert.equal((await DataDirLock.holder(dir))?.pid, livePid);

  // Another boot by the kernel's boot id, where the system has one (Linux).
  if (holder.bootId !== undefined) {
    await lockOfThisBoot(dir, livePid, (h) => (h.bootId = 'an-earlier-boot'));
    assert.equal(await DataDirLock.holder(dir), undefined);
    await (await DataDirLock.acquire(dir, 'watch')).release();
  }
  // Another boot by the uptime, where there is no boot id: the machine has been up an hour less than when the lock
  // was taken.
  await lockOfThisBoot(dir, livePid, (h) => {
    delete h.bootId;
    h.uptimeAtStart = 4_600;
  });
  const machine = { uptime: () => 1_000 };
  assert.equal(await DataDirLock.holder(dir, machine), undefined);
  const lock = await DataDirLock.acquire(dir, 'watch', machine);
  assert.notEqual(lock.holder.token, `held-by-${livePid}`);
  assert.equal(lock.holder.uptimeAtStart, 1_000);
  await lock.release();
});

test('without a boot id, a live holder keeps its lock whatever the wall clock says: only the uptime going down is a restart', async (t) => {
  const livePid = process.ppid;
  const dir = await tempDir(t);
  const hour = 3_600_000;
  // Taken 100 s into this boot, judged 1000 s into it; the wall clock stepped by hours either way meanwhile.
  for (const step of [3 * hour, -3 * hour, 11 * 60_000]) {
    await lockOfThisBoot(dir, livePid, (h) => {
      delete h.bootId;
      h.uptimeAtStart = 100;
    });
    const machine = { uptime: () => 1_000, now: () => Date.now() + step };
    assert.equal((await DataDirLock.holder(dir, machine))?.pid, livePid, `clock stepped by ${step} ms`);
    await assert.rejects(DataDirLock.acquire(dir, 'watch', machine), (error: unknown) => isLocked(error) && (error as DataDirLockedError).holder?.pid === livePid);
  }
  // A lock written before holders recorded their uptime (no boot marker at all) is judged by its pid alone.
  await lockOfThisBoot(dir, livePid, (h) => {
    delete h.bootId;
    delete h.uptimeAtStart;
    h.bootedAt = 0;
  });
  await assert.rejects(DataDirLock.acquire(dir, 'watch', { uptime: () => 1 }), isLocked);
  await (await DataDirLock.acquire(dir, 'watch', { uptime: () => 1, isAlive: () => false })).release();
});

test('a lock from another boot by the system\'s boot id is stale with a live pid, though the uptime says the same boot', async (t) => {
  // A process started at login takes its lock at about the same uptime every boot: only the boot id tells.
  const livePid = process.ppid;
  const dir = await tempDir(t);
  await lockOfThisBoot(dir, livePid, (h) => {
    h.bootId = 'boot-a';
    h.uptimeAtStart = 30;
  });
  const sameBoot = { bootId: async () => 'boot-a', uptime: () => 31 };
  assert.equal((await DataDirLock.holder(dir, sameBoot))?.pid, livePid);
  await assert.rejects(DataDirLock.acquire(dir, 'watch', sameBoot), (error: unknown) => isLocked(error) && (error as DataDirLockedError).holder?.pid === livePid);

  const nextBoot = { bootId: async () => 'boot-b', uptime: () => 31 };
  assert.equal(await DataDirLock.holder(dir, nextBoot), undefined);
  const lock = await DataDirLock.acquire(dir, 'watch', nextBoot);
  assert.equal(lock.holder.bootId, 'boot-b', 'the new holder records this boot');
  await lock.release();
});

test('the boot id is read from the system on macOS and Windows, and a failing or hanging reader leaves none', async () => {
  const calls: string[][] = [];
  const answer =
    (output: string) =>
    async (file: string, args: readonly string[]): Promise<string> => {
      calls.push([file, ...args]);
      return output;
    };
  assert.equal(await readBootId('darwin', answer('3A1F5C2E-0B6D-4C47-9E8A-2F6C1D0B7E55\n')), '3A1F5C2E-0B6D-4C47-9E8A-2F6C1D0B7E55');
  assert.deepEqual(calls.pop()?.slice(1), ['-n', 'kern.bootsessionuuid']);

  const regOutput = '\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Memory Management\\PrefetchParameters\r\n    BootId    REG_DWORD    0x2a\r\n\r\n';
  assert.equal(await readBootId('win32', answer(regOutput)), 'windows-boot-42');
  const [reg, ...args] = calls.pop() ?? [];
  assert.match(reg ?? '', /reg\.exe$/i);
  assert.deepEqual(args, ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Memory Management\\PrefetchParameters', '/v', 'BootId']);

  // The command is missing, fails, times out (rejects), or answers something else: no boot id, the uptime decides.
  const fails = async (): Promise<string> => {
    throw Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });
  };
  for (const platform of ['darwin', 'win32'] as const) assert.equal(await readBootId(platform, fails), undefined, platform);
  assert.equal(await readBootId('win32', answer('ERROR: The system was unable to find the specified registry key or value.\r\n')), undefined);
  assert.equal(await readBootId('darwin', answer('\n')), undefined);
});

test('a lock whose holder the caller declares gone (holderGoneIf) is taken over although its pid is alive', async (t) => {
  const livePid = process.ppid;
  const dir = await tempDir(t);
  const appGone = { holderGoneIf: (h: LockHolder) => h.purpose === 'app' };

  await lockOfThisBoot(dir, livePid);
  const asked: LockHolder[] = [];
  await assert.rejects(
    DataDirLock.acquire(dir, 'app', { holderGoneIf: (h) => (asked.push(h), false) }),
    (error: unknown) => isLocked(error) && (error as DataDirLockedError).holder?.pid === livePid,
  );
  assert.equal(asked[0]?.pid, livePid, 'asked about the holder');
  const lock = await DataDirLock.acquire(dir, 'app', appGone);
  assert.notEqual(lock.holder.token, `held-by-${livePid}`);
  // Never about a lock this process holds, whatever the caller says.
  await assert.rejects(DataDirLock.acquire(dir, 'app', { holderGoneIf: () => true }), (error: unknown) => isLocked(error) && (error as DataDirLockedError).holder?.token === lock.holder.token);
  await lock.release();

  // Only the holders it declares gone: a live `watch` keeps its lock.
  await lockOfThisBoot(dir, livePid, (h) => (h.purpose = 'watch'));
  await assert.rejects(DataDirLock.acquire(dir, 'app', appGone), isLocked);
});

test('a lock being released counts as held until its file is gone; an acquire meanwhile never loses its new lock to it', async (t) => {
  const dir = await tempDir(t);
  let seenHeld = 0;
  for (let round = 0; round < 50; round++) {
    const first = await DataDirLock.acquire(dir, 'app');
    const releasing = first.release();
    // Both read the lock file while the release is between reading it and removing it (or after it is gone).
    const [seen, second] = await Promise.all([
      DataDirLock.holder(dir),
      DataDirLock.acquire(dir, 'watch').catch((error: unknown) => {
        if (isLocked(error)) return undefined;
        throw error;
      }),
    ]);
    await releasing;
    // Read before the release removed the file: the first holder's. Read after: nobody's, or the new holder's.
    if (seen !== undefined && seen.token === first.holder.token) seenHeld++;
    else if (seen !== undefined) assert.equal(seen.token, second?.holder.token, `round ${round}: only the old or the new holder`);
    if (second !== undefined) {
      assert.equal((await DataDirLock.holder(dir))?.token, second.holder.token, `round ${round}: the new holder's lock is still there`);
      await second.release();
    }
  }
  // Judged stale instead (this pid, a token no longer held), it could be taken over and then removed by the release.
  assert.ok(seenHeld > 0, 'a lock file still there during its release is judged held');
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

/**
 * Takers in separate processes, kept running across rounds (starting a process per taker per round would be slow).
 * Each line on stdin is `go DIR` (take DIR's lock, print `won TOKEN` or `locked`) or `release`.
 */
function startTakers(count: number, deadPid: number): { ready: Promise<void>; round: (dir: string) => Promise<string[]>; stop: () => Promise<void> } {
  const script = `
    const { DataDirLock } = await import(${JSON.stringify(LOCK_MODULE)});
    const { createInterface } = await import('node:readline');
    let held;
    process.stdout.write('ready\\n');
    for await (const line of createInterface({ input: process.stdin })) {
      if (line.startsWith('go ')) {
        try {
          held = await DataDirLock.acquire(line.slice(3), 'watch', { isAlive: (pid) => pid !== ${deadPid} });
          process.stdout.write('won ' + held.holder.token + '\\n');
        } catch (error) {
          process.stdout.write((error.code === 'DATA_DIR_LOCKED' ? 'locked' : 'error ' + error.message) + '\\n');
        }
      } else if (line === 'release') {
        await held?.release();
        held = undefined;
        process.stdout.write('released\\n');
      }
    }
  `;
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => {
      const { value, done } = await lines.next();
      if (done) throw new Error('a taker ended early');
      return value as string;
    };
    return { child, next, exited: once(child, 'exit') };
  });
  return {
    ready: Promise.all(children.map(async (c) => assert.equal(await c.next(), 'ready'))).then(() => undefined),
    round: async (dir) => {
      for (const c of children) c.child.stdin.write(`go ${dir}\n`);
      const results = await Promise.all(children.map((c) => c.next()));
      for (const c of children) c.child.stdin.write('release\n');
      await Promise.all(children.map(async (c) => assert.equal(await c.next(), 'released')));
      return results;
    },
    stop: async () => {
      for (const c of children) c.child.stdin.end();
      await Promise.all(children.map((c) => c.exited));
    },
  };
}

test('takers in separate processes racing over a dead holder\'s lock: exactly one wins, every round', { timeout: 60_000 }, async (t) => {
  const DEAD = 424242;
  const takers = startTakers(6, DEAD);
  t.after(() => takers.stop());
  await takers.ready;
  for (let round = 0; round < 40; round++) {
    const dir = await tempDir(t);
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: DEAD, hostname: hostname(), startedAt: 0, purpose: 'app', token: `dead-${round}` }));
    const results = await takers.round(dir);
    const won = results.filter((r) => r.startsWith('won '));
    assert.equal(won.length, 1, `round ${round}: ${results.join(', ')}`);
    assert.ok(results.every((r) => r === 'locked' || r.startsWith('won ')), results.join(', '));
    assert.deepEqual(await readdir(dir), [], 'released, and no takeover guard or temporary file left behind');
  }
});

test('a takeover guard left by a taker that died mid-takeover neither blocks the next taker nor stays behind', async (t) => {
  const dir = await tempDir(t);
  const stale = JSON.stringify({ pid: 424242, hostname: hostname(), startedAt: 0, purpose: 'app', token: 'dead' });
  await writeFile(join(dir, LOCK_FILE), stale);
  // The guard's name is the lock's name, a hash of the stale lock's content and the guard's place in line.
  const guard = `${LOCK_FILE}.${createHash('sha256').update(stale).digest('hex').slice(0, 16)}.takeover0`;
  await writeFile(join(dir, guard), JSON.stringify({ pid: 434343, hostname: hostname(), startedAt: 0, purpose: 'takeover', token: 'died-here' }));
  const lock = await DataDirLock.acquire(dir, 'watch', { isAlive: (pid) => pid === process.pid });
  assert.deepEqual(await readdir(dir), [LOCK_FILE]);
  await lock.release();
});

test('guards and temporary files left by takers killed mid-way are cleared by the next holder; fresh ones are left', async (t) => {
  const dir = await tempDir(t);
  // A guard of some earlier stale lock, long gone: its taker was killed between removing the lock and its guard.
  const oldGuard = `${LOCK_FILE}.${createHash('sha256').update('some earlier lock').digest('hex').slice(0, 16)}.takeover0`;
  await writeFile(join(dir, oldGuard), JSON.stringify({ pid: 434343, hostname: hostname(), startedAt: 0, purpose: 'takeover', token: 'killed' }));
  const oldTemp = `${LOCK_FILE}.${randomUUID()}.tmp`;
  const freshTemp = `${LOCK_FILE}.${randomUUID()}.tmp`;
  await writeFile(join(dir, oldTemp), '{"pid":');
  await writeFile(join(dir, freshTemp), '{"pid":');
  const old = new Date(Date.now() - 60_000);
  await utimes(join(dir, oldTemp), old, old);
  const lock = await DataDirLock.acquire(dir, 'watch');
  assert.deepEqual((await readdir(dir)).sort(), [LOCK_FILE, freshTemp].sort());
  await lock.release();
});

test('a takeover that cannot finish is reported as such, not as the dead holder still using the folder', async (t) => {
  const dir = await tempDir(t);
  const stale = JSON.stringify({ pid: 424242, hostname: hostname(), startedAt: 0, purpose: 'app', token: 'dead' });
  await writeFile(join(dir, LOCK_FILE), stale);
  // Every guard in line was left by a taker that died mid-takeover.
  const hash = createHash('sha256').update(stale).digest('hex').slice(0, 16);
  for (let index = 0; index < 8; index++) {
    await writeFile(join(dir, `${LOCK_FILE}.${hash}.takeover${index}`), JSON.stringify({ pid: 434343, hostname: hostname(), startedAt: 0, purpose: 'takeover', token: `died-${index}` }));
  }
  await assert.rejects(DataDirLock.acquire(dir, 'watch', { isAlive: (pid) => pid === process.pid }), (error: unknown) => {
    assert.ok(isLocked(error));
    const { holder, message } = error as DataDirLockedError;
    assert.equal(holder, undefined, 'no live holder to name');
    assert.doesNotMatch(message, /is using/);
    assert.match(message, /pid 424242.* ended without releasing .*ended midway; delete /);
    return true;
  });
});
