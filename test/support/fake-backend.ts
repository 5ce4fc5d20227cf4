// An in-memory JobBackend for tracker tests: the test plays the server (its queue, its history, its socket).
import { Readable } from 'node:stream';
import type { OutputRef } from '../../electron/shared/app-state.js';
import type { ConnectionInfo } from '../../electron/core/comfy/comfy-connection.js';
import type { ServerMessage } from '../../electron/core/comfy/messages.js';
import type { ActiveJobs, RemoteJob } from '../../electron/core/comfy/remote-jobs.js';
import { Emitter } from '../../electron/core/emitter.js';
import { HttpStatusError } from '../../electron/core/errors.js';
import type { BackendEvents, JobBackend, OutputRange, OutputStream, SubmitRequest, SubmitResult } from '../../electron/core/jobs/backend.js';

export class FakeBackend implements JobBackend {
  readonly events = new Emitter<BackendEvents>();
  readonly name: string;
  readonly url: string;
  /** As ComfyUI's socket: a run heard from its start names all its outputs. */
  liveOutputsComplete = true;
  connection: ConnectionInfo = { state: 'connecting' };
  clientId: string | undefined;
  running: RemoteJob[] = [];
  pending: RemoteJob[] = [];
  /** Finished jobs, oldest first (like history). */
  history: RemoteJob[] = [];
  /** `listFinished` counts pages of finished jobs read. */
  readonly calls = { listActive: 0, listFinished: 0, lookup: 0, submit: 0 };
  /** While set, every `listActive` waits for it: a reconciliation held in flight. */
  listActiveGate: Promise<void> | undefined;
  submitHandler: (request: SubmitRequest & { promptId: string }) => Promise<SubmitResult> = async (request) => {
    this.pending.push({ id: request.promptId, status: 'pending', clientId: this.clientId });
    return { promptId: request.promptId, nodeErrors: [] };
  };

  constructor(readonly serverId = 'fake') {
    this.name = serverId;
    this.url = `http://${serverId}.invalid/`;
  }

  serverTime(): number {
    return Date.now();
  }

  start(): void {}
  async stop(): Promise<void> {}
  reconnectNow(): void {}

  /** Plays a (re)connect: state connected, then the connected event. */
  connect(clientId = 'client-1'): void {
    this.clientId = clientId;
    this.connection = { state: 'connected', clientId, capabilities: { jobsApi: true, cancelEndpoint: true, targetedInterrupt: true, supportsPreviewMetadata: true } };
    this.events.emit('connection', this.connection);
    this.events.emit('connected', { clientId, reusedClientId: false });
  }

  disconnect(): void {
    this.connection = { state: 'reconnecting', attempt: 1 };
    this.events.emit('connection', this.connection);
  }

  send(message: ServerMessage): void {
    this.events.emit('message', message);
  }

  status(queueRemaining = this.running.length + this.pending.length): void {
    this.send({ type: 'status', queueRemaining });
  }

  /** Moves a job to history with the given end state. */
  complete(id: string, fields: Partial<RemoteJob> = {}): RemoteJob {
    const before = [...this.running, ...this.pending].find((job) => job.id === id);
    this.running = this.running.filter((job) => job.id !== id);
    this.pending = this.pending.filter((job) => job.id !== id);
    const record: RemoteJob = { ...before, id, status: 'completed', outputs: [], ...fields };
    this.history.push(record);
    return record;
  }

  start_(id: string): void {
    const job = this.pending.find((j) => j.id === id);
    this.pending = this.pending.filter((j) => j.id !== id);
    this.running.push({ ...(job ?? { id }), id, status: 'running' });
  }

  async listActive(): Promise<ActiveJobs> {
    this.calls.listActive++;
    await Promise.resolve();
    await this.listActiveGate;
    return { running: [...this.running], pending: [...this.pending] };
  }

  /** Like /history: newest first, pages of `firstPageSize` then 200, summaries without outputs. */
  async *finishedPages(firstPageSize: number): AsyncGenerator<RemoteJob[]> {
    let end = this.history.length;
    let size = firstPageSize;
    while (end > 0) {
      this.calls.listFinished++;
      await Promise.resolve();
      const start = Math.max(0, end - size);
      yield this.history.slice(start, end).reverse().map(({ outputs: _o, ...summary }) => summary);
      end = start;
      size = 200;
    }
  }

  /** History order: by the end. */
  finishedOrderTime(job: RemoteJob): number | undefined {
    return job.endedAt;
  }

  async lookup(id: string): Promise<RemoteJob | undefined> {
    this.calls.lookup++;
    await Promise.resolve();
    return this.history.find((job) => job.id === id) ?? [...this.running, ...this.pending].find((job) => job.id === id);
  }

  async submit(request: SubmitRequest & { promptId: string }): Promise<SubmitResult> {
    this.calls.submit++;
    return this.submitHandler(request);
  }

  async cancel(id: string): Promise<boolean> {
    const had = this.pending.some((job) => job.id === id);
    this.pending = this.pending.filter((job) => job.id !== id);
    return had;
  }

  async removePending(ids: readonly string[]): Promise<void> {
    this.pending = this.pending.filter((job) => !ids.includes(job.id));
  }

  async clearPending(): Promise<void> {
    this.pending = [];
  }

  /** Output files this server no longer has (a cleaned output folder): fetching them answers 404. */
  readonly missingFiles = new Set<string>();

  async fetchOutput(ref: OutputRef, _range?: OutputRange, signal?: AbortSignal): Promise<OutputStream> {
    signal?.throwIfAborted();
    if (this.missingFiles.has(ref.filename)) throw new HttpStatusError(404, `${this.url}api/view`, '');
    return { body: Readable.from([Buffer.from('bytes')]), size: 5 };
  }
}

export function output(nodeId: string, filename: string, type = 'output'): OutputRef {
  return { nodeId, kind: 'images', index: 0, filename, subfolder: '', type };
}
