// A look through a server's finished jobs is bounded by the requests it makes, not only by the jobs it finds: a
// server that keeps sending pages (empty, or one job each) cannot keep a look going.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { RemoteJob } from '../../../electron/core/comfy/remote-jobs.js';
import { FakeBackend } from '../../support/fake-backend.js';
import { connectedEngine } from '../../support/fake-engine.js';

/** Without bounds of its own a look would read on forever; this many pages end it anyway, and the test fails. */
const SAFETY_PAGES = 20_000;

/** After the pages of its real history, once `endless` is set, sends the pages it makes up, without end. */
class EndlessPages extends FakeBackend {
  endless: ((page: number) => RemoteJob[]) | undefined;
  endlessPagesRead = 0;

  override async *finishedPages(firstPageSize: number): AsyncGenerator<RemoteJob[]> {
    yield* super.finishedPages(firstPageSize);
    const endless = this.endless;
    if (!endless) return;
    while (this.endlessPagesRead < SAFETY_PAGES) {
      await Promise.resolve();
      yield endless(++this.endlessPagesRead);
    }
  }
}

test('regression: a server that answers every further page with nothing new ends the look at once', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t, { backend: new EndlessPages() });
  const id = backend.complete(randomUUID()).id;
  // Like a jobs API that ignores `offset` and keeps saying there is more: each further page repeats the first.
  backend.endless = () => [];
  backend.status(0);
  await engine.settled();
  assert.equal(backend.endlessPagesRead, 1);
  assert.deepEqual(rec.finishedIds(), [id]);
});

test('regression: a server that keeps sending pages of new jobs is read for a bounded number of pages', async (t) => {
  const { backend, engine, rec } = await connectedEngine(t, { backend: new EndlessPages() });
  const warnings: string[] = [];
  engine.events.on('warning', (warning) => warnings.push(warning.code));
  backend.endless = () => [{ id: randomUUID(), status: 'completed', endedAt: Date.now() }];
  backend.status(0);
  await engine.settled();
  assert.ok(backend.endlessPagesRead <= 101, `${backend.endlessPagesRead} pages`);
  assert.deepEqual(warnings, ['JOBS_CATCH_UP_TRUNCATED']);
  assert.equal(rec.finished.length, backend.endlessPagesRead);
});
