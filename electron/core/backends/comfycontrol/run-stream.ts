// One subscription to a run's Server-Sent Events stream, through undici's EventSource (a maintained SSE parser, not
// one written here). It hands over each snapshot and says once why it stopped: the server closed it (its update
// limit, about 120 updates, or the run's end), it was refused or broke, or it fell silent for three intervals
// without closing. It never reopens by itself: the backend reads the run's record first, so nothing that happened
// in the gap is missed, and decides.
import type { Dispatcher, EventSource } from 'undici';
import { parseJson } from '../../json.js';
import { runSnapshotSchema, type RunSnapshot } from './run-record.js';

export type StreamStop = 'closed' | 'failed' | 'stalled';

export interface RunStreamHandlers {
  snapshot(snapshot: RunSnapshot): void;
  /** Called once; the stream is closed by then. */
  stopped(why: StreamStop): void;
}

export class RunStream {
  private source: EventSource | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private done = false;
  /** Events that were not a snapshot (kept out, counted for tests). */
  malformed = 0;

  constructor(
    private readonly url: URL,
    private readonly dispatcher: Dispatcher,
    private readonly stallAfterMs: number,
    private readonly handlers: RunStreamHandlers,
  ) {}

  open(): void {
    this.armStallTimer();
    loadEventSource()
      .then((EventSourceClass) => this.listen(EventSourceClass))
      .catch(() => this.stop('failed'));
  }

  private listen(EventSourceClass: typeof EventSource): void {
    // Closed (or timed out) while undici's EventSource was being loaded.
    if (this.done) return;
    const source = new EventSourceClass(this.url, { node: { dispatcher: this.dispatcher } });
    this.source = source;
    source.onmessage = (event) => {
      if (this.done) return;
      this.armStallTimer();
      const snapshot = parseSnapshot(event.data);
      if (snapshot === undefined) this.malformed++;
      else this.handlers.snapshot(snapshot);
    };
    source.onerror = () => {
      // CONNECTING: the server ended the stream and undici would reconnect on its own; CLOSED: refused (not 200, not
      // an event stream) or broken for good. Either way this stream is over; the backend reads the record first.
      this.stop(source.readyState === EventSourceClass.CLOSED ? 'failed' : 'closed');
    };
  }

  /** Ends the stream without a report (the run ended, or the backend stops). */
  close(): void {
    this.done = true;
    this.release();
  }

  private stop(why: StreamStop): void {
    if (this.done) return;
    this.done = true;
    this.release();
    this.handlers.stopped(why);
  }

  private release(): void {
    clearTimeout(this.stallTimer);
    this.source?.close();
    this.source = undefined;
  }

  private armStallTimer(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.stop('stalled'), this.stallAfterMs);
  }
}

let eventSource: Promise<typeof EventSource> | undefined;

/**
 * undici's EventSource comes with its whole package (fetch, its WebSocket, Node's own undici): loaded when the first
 * run is followed, never by an app that follows no ComfyControl server (see comfy/undici-parts.ts).
 */
function loadEventSource(): Promise<typeof EventSource> {
  eventSource ??= import('undici').then((undici) => undici.EventSource);
  return eventSource;
}

function parseSnapshot(data: unknown): RunSnapshot | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed = runSnapshotSchema.safeParse(parseJson(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
