// One snapshot of everything the views show, plus versioned patches. High-rate changes (progress, previews) are
// coalesced to what a screen can show: within one frame, a job updated a hundred times is sent once, as its last state.
import type { JobView, ServerView } from '../../shared/app-state.js';
import type { AppSnapshot, StatePatch, VersionedPatches } from '../../shared/ipc-contract.js';
import { Emitter, type Listener } from '../emitter.js';

export interface StoreSource {
  servers(): readonly ServerView[];
  jobs(): readonly JobView[];
}

export interface FrameScheduler {
  schedule(fn: () => void, ms: number): void;
}

const DEFAULT_FRAME_MS = 33;

export class AppStore {
  private version = 0;
  private pending = new Map<string, StatePatch>();
  private scheduled = false;
  private readonly emitter = new Emitter<{ patches: VersionedPatches }>();

  constructor(
    private readonly source: StoreSource,
    private readonly frameMs = DEFAULT_FRAME_MS,
    private readonly scheduler: FrameScheduler = { schedule: (fn, ms) => void setTimeout(fn, ms) },
  ) {}

  snapshot(): AppSnapshot {
    // Anything still waiting is part of this snapshot already: the patches carry a later version only.
    return { version: this.version, servers: [...this.source.servers()], jobs: [...this.source.jobs()] };
  }

  subscribe(listener: Listener<VersionedPatches>): () => void {
    return this.emitter.on('patches', listener);
  }

  serverUpdated(server: ServerView): void {
    this.queue(`s\u0000${server.id}`, { type: 'server-updated', server });
  }

  jobUpdated(job: JobView): void {
    this.queue(`j\u0000${job.serverId}\u0000${job.id}`, { type: 'job-updated', job });
  }

  jobRemoved(serverId: string, jobId: string): void {
    this.queue(`j\u0000${serverId}\u0000${jobId}`, { type: 'job-removed', serverId, jobId });
  }

  /** Sends what is waiting now (tests, and before a window is shown). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const patches = [...this.pending.values()];
    this.pending = new Map();
    this.version++;
    this.emitter.emit('patches', { version: this.version, patches });
  }

  private queue(key: string, patch: StatePatch): void {
    // Re-inserting moves the key to the end, so patches keep the order of their last change.
    this.pending.delete(key);
    this.pending.set(key, patch);
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduler.schedule(() => this.flush(), this.frameMs);
  }
}
