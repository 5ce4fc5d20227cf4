// Driving the simulator the way a recorded scenario drove the real server.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { ComfySimulator } from '../simulator/server.js';
import type { FinishStatus, SimulatorOptions } from '../simulator/types.js';
import { assertSameShape, collapseProgress, tokens, withoutStatus } from './compare.js';
import { type FixtureVersion, notes, wsSent, wsTranscript } from './fixtures.js';
import { wsUrl } from './http.js';
import { TestSocket } from './ws-client.js';

export async function startSim(t: TestContext, options: SimulatorOptions = {}): Promise<ComfySimulator> {
  const sim = await ComfySimulator.start({ stepDelayMs: 2, ...options });
  t.after(() => sim.stop());
  return sim;
}

/** Records every finished job from now on, so a test can await one without racing the event. */
export class JobTracker {
  private readonly done = new Map<string, FinishStatus>();
  private readonly waiters = new Map<string, ((status: FinishStatus) => void)[]>();
  private countWaiters: { count: number; resolve: () => void }[] = [];
  private total = 0;

  constructor(sim: ComfySimulator) {
    sim.events.on('finished', ({ promptId, status }: { promptId: string; status: FinishStatus }) => {
      this.done.set(promptId, status);
      this.total++;
      for (const w of this.countWaiters.filter((c) => this.total >= c.count)) w.resolve();
      this.countWaiters = this.countWaiters.filter((c) => this.total < c.count);
      for (const resolve of this.waiters.get(promptId) ?? []) resolve(status);
      this.waiters.delete(promptId);
    });
  }

  /** Resolves once `count` jobs (in total, since the tracker was created) have finished. */
  settled(count: number): Promise<void> {
    if (this.total >= count) return Promise.resolve();
    return new Promise((resolve) => this.countWaiters.push({ count, resolve }));
  }

  finished(promptId: string): Promise<FinishStatus> {
    const status = this.done.get(promptId);
    if (status) return Promise.resolve(status);
    return new Promise((resolve) => this.waiters.set(promptId, [...(this.waiters.get(promptId) ?? []), resolve]));
  }
}

export interface ClientNote {
  label: string;
  clientId: string;
  url: string;
}

/** Opens the scenario's sockets in the recorded order, with the recorded clientIds and first messages. */
export async function openSockets(t: TestContext, sim: ComfySimulator, version: FixtureVersion, scenario: string, labels?: string[]): Promise<Record<string, TestSocket>> {
  const clients = (notes(version, scenario).clients as ClientNote[]).filter((c) => !labels || labels.includes(c.label));
  const sockets: Record<string, TestSocket> = {};
  for (const client of clients) {
    const hasId = client.url.includes('clientId=');
    const [first] = wsSent(version, scenario, client.label);
    const socket = await TestSocket.open(wsUrl(sim.url, hasId ? client.clientId : undefined), { first });
    t.after(() => socket.close());
    sockets[client.label] = socket;
  }
  return sockets;
}

export async function flushAll(sockets: Record<string, TestSocket>): Promise<void> {
  await Promise.all(Object.values(sockets).map((s) => (s.ws.readyState === s.ws.OPEN ? s.flush() : undefined)));
}

export type SequenceMode = 'exact' | 'collapsed' | 'no-status';

function normalize(list: string[], mode: SequenceMode): string[] {
  if (mode === 'collapsed') return collapseProgress(list);
  if (mode === 'no-status') return withoutStatus(list);
  return list;
}

/** The socket received the same sequence of message types (binary: event type) as the recorded socket. */
export function assertSequence(socket: TestSocket, version: FixtureVersion, scenario: string, label: string, mode: SequenceMode): void {
  const expected = normalize(tokens(wsTranscript(version, scenario, label)), mode);
  const actual = normalize(tokens(socket.entries), mode);
  assert.deepEqual(actual, expected, `${version} ${scenario} socket ${label} (${mode})`);
}

export function statusCount(socket: TestSocket): number {
  return socket.texts('status').length;
}

/** The simulator's reply looks like the recorded one: status, content type, and body shape (or exact text). */
export function assertReplyLike(reply: { status: number; contentType: string; text: string; bytes: Buffer; json: unknown }, recorded: { status: number; headers: Record<string, string>; body: unknown }, what: string): void {
  assert.equal(reply.status, recorded.status, `${what}: status`);
  const recordedType = recorded.headers['content-type'];
  if (recordedType) assert.equal(reply.contentType, recordedType, `${what}: content-type`);
  const body = recorded.body;
  if (typeof body === 'string') {
    assert.equal(reply.text, body, `${what}: body text`);
    return;
  }
  if (body !== null && typeof body === 'object' && 'binary_length' in body && 'first8_hex' in body) {
    assert.equal(reply.bytes.subarray(0, 8).toString('hex'), (body as { first8_hex: string }).first8_hex, `${what}: first bytes`);
    return;
  }
  assertSameShape(reply.json, body, what);
}
