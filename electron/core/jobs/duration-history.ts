// How long recent runs of each workflow took, per server, kept across restarts in its own small file beside the
// journal (`durations.json`). A separate file because it is a cache: losing it costs estimates, never correctness,
// so a damaged one is set aside without touching the journal. Bounded three ways (servers, workflows per server,
// runs per workflow), least recently recorded out first, so years of use cost the same few kilobytes.
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import { CoalescingWriter } from '../store/atomic-file.js';
import { estimateFrom, type RunSample } from './duration-estimate.js';

export interface DurationLimits {
  readonly maxServers?: number;
  readonly maxSignaturesPerServer?: number;
  readonly maxSamplesPerSignature?: number;
}

const DEFAULT_LIMITS: Required<DurationLimits> = { maxServers: 64, maxSignaturesPerServer: 200, maxSamplesPerSignature: 5 };
const SAVE_DELAY_MS = 1_000;
const MAX_SIGNATURE_LENGTH = 64;

const sampleSchema = z.object({ ms: z.number().nonnegative(), cached: z.number().int().nonnegative().optional() });
const fileSchema = z.object({
  version: z.literal(1),
  servers: z.record(z.string(), z.record(z.string().min(1).max(MAX_SIGNATURE_LENGTH), z.array(sampleSchema))),
});

export class DurationHistory {
  /** serverId → signature → samples, oldest first; both maps in least-recently-recorded order. */
  private readonly servers = new Map<string, Map<string, RunSample[]>>();
  private readonly writer: CoalescingWriter;
  private readonly limits: Required<DurationLimits>;
  private saveTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly path: string,
    limits: DurationLimits,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`DurationHistory: ${name} must be a positive integer`);
    }
    this.writer = new CoalescingWriter(path, () => this.serialize());
  }

  /** Opens the store; a damaged file is moved aside (the warning says where) and the store starts empty; whatever the file holds, it opens. */
  static async open(path: string, limits: DurationLimits = {}): Promise<{ history: DurationHistory; warning?: string }> {
    const history = new DurationHistory(path, limits);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { history };
      // Estimates are a convenience: a file that cannot be read (permissions, a folder in its place) never stops the
      // engine from starting.
      return { history, warning: `The run-time history could not be read (${errorMessage(error).slice(0, 200)}); estimates start afresh.` };
    }
    try {
      const parsed = fileSchema.parse(JSON.parse(text));
      for (const [serverId, signatures] of Object.entries(parsed.servers)) {
        for (const [signature, samples] of Object.entries(signatures)) {
          for (const sample of samples) history.add(serverId, signature, sample);
        }
      }
      return { history };
    } catch (error) {
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside).catch(() => undefined);
      return { history, warning: `The run-time history was unreadable (${errorMessage(error).slice(0, 200)}); it was moved to ${aside} and a new one started.` };
    }
  }

  /** Adds one run; the file is written shortly after (coalesced) and on `flush`. */
  record(serverId: string, signature: string, sample: RunSample): void {
    if (signature === '' || signature.length > MAX_SIGNATURE_LENGTH) return;
    if (!Number.isFinite(sample.ms) || sample.ms < 0) return;
    this.add(serverId, signature, sample);
    this.scheduleSave();
  }

  samples(serverId: string, signature: string): readonly RunSample[] {
    return this.servers.get(serverId)?.get(signature) ?? [];
  }

  estimate(serverId: string, signature: string, cachedNodeCount?: number): number | undefined {
    const samples = this.servers.get(serverId)?.get(signature);
    return samples ? estimateFrom(samples, cachedNodeCount) : undefined;
  }

  /** Workflows remembered for a server (for tests and diagnostics). */
  signatureCount(serverId: string): number {
    return this.servers.get(serverId)?.size ?? 0;
  }

  serverCount(): number {
    return this.servers.size;
  }

  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    await this.writer.flush();
  }

  private add(serverId: string, signature: string, sample: RunSample): void {
    let server = this.servers.get(serverId);
    if (server) this.servers.delete(serverId);
    else server = new Map();
    this.servers.set(serverId, server);
    evictOldest(this.servers, this.limits.maxServers);

    const samples = server.get(signature) ?? [];
    server.delete(signature);
    server.set(signature, samples);
    samples.push(sample.cached === undefined ? { ms: sample.ms } : { ms: sample.ms, cached: sample.cached });
    if (samples.length > this.limits.maxSamplesPerSignature) samples.splice(0, samples.length - this.limits.maxSamplesPerSignature);
    evictOldest(server, this.limits.maxSignaturesPerServer);
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.writer.flush().catch(() => undefined);
    }, SAVE_DELAY_MS);
    // A cache: the engine flushes it on stop, and it must never keep a finished process alive.
    this.saveTimer.unref();
  }

  private serialize(): string {
    const servers: Record<string, Record<string, RunSample[]>> = {};
    for (const [serverId, signatures] of this.servers) servers[serverId] = Object.fromEntries(signatures);
    return JSON.stringify({ version: 1, servers });
  }
}

function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}
