// Frames a newer one supersedes before they were read. `progress` (one node's step) and `progress_state` (a snapshot
// of every node started so far) each replace what the one before said about the prompt, and a sampler sends both at
// every step; a preview replaces the one before it (the window and the notifications show only the newest). When
// frames arrive faster than one read at a time (a burst after a stall, a chatty server, a reconnect backlog), only
// the newest of each kind per prompt is worth handling: the older ones are dropped (text frames unread).
// Any other frame (and the end of the read) delivers what is held first, so nothing else is reordered, and a frame
// that does not have exactly the shape ComfyUI sends is never held. What is delivered is always the frames in their
// arrival order, less the superseded ones: a held frame is delivered before any later frame of a kind not held. Only
// frames of the other held kinds may come between a dropped frame and the one that supersedes it, and only those that
// do not depend on it: the two progress kinds touch different parts of a job (the node's step; the whole job's share)
// and neither reads its preview, so they may come between two previews and each other's frames. A preview depends on
// the progress frames before it (they can make its job known, and a legacy preview goes to the job of the last step),
// so a progress frame before a held preview is never dropped: it is delivered, and the newer one held after it. So
// the state they leave is the one every frame would have left.
import { readProgressFrame } from './hot-frames.js';
import type { ServerMessage } from './messages.js';

export type HeldKind = 'progress' | 'progress_state' | 'preview';


// Anchored, and the prompt id comes before any string value: nothing inside a string can pass for it. Separators as
// Python's json.dumps writes them (ComfyUI) or compact. One pattern for both kinds: other frames fail at their type.
const HOLDABLE =
  /^\{"type": ?"progress(?:_state", ?"data": ?\{"prompt_id": ?"([\w-]{1,128})", ?"nodes": ?\{|", ?"data": ?\{"value": ?-?[\d.eE+]+, ?"max": ?-?[\d.eE+]+, ?"prompt_id": ?"([\w-]{1,128})", ?"node": ?)/;

/** Which kind a frame is, and for which prompt, when it can be held; undefined otherwise. */
export function holdable(text: string): { kind: HeldKind; promptId: string } | undefined {
  const match = HOLDABLE.exec(text);
  if (!match) return undefined;
  return match[1] !== undefined ? { kind: 'progress_state', promptId: match[1] } : { kind: 'progress', promptId: match[2]! };
}

/** One held frame per kind: the newest, and the prompt it is about. */
interface Slot {
  promptId: string;
  /** Text to parse when delivered, or a frame already decoded (a preview; a progress frame read without JSON.parse). */
  frame: string | ServerMessage;
  /** When the held frame (the newest of its slot) arrived, relative to the other slots'. */
  order: number;
}

const KINDS = ['progress', 'progress_state', 'preview'] as const;

export class FrameCoalescer {
  /** Frames dropped because a newer one of the same kind, for the same prompt, came in the same read. */
  superseded = 0;
  /** Of `superseded`, the previews. */
  supersededPreviews = 0;
  private readonly slots: Record<HeldKind, Slot | undefined> = { progress: undefined, progress_state: undefined, preview: undefined };
  private held = 0;
  private arrivals = 0;
  private scheduled = false;

  constructor(
    /** Parses and handles one text frame. */
    private readonly deliver: (text: string) => void,
    /** Runs `flush` once the current read is handled (the next turn of the event loop). */
    private readonly later: (flush: () => void) => void = (flush) => void setImmediate(flush),
    /** Handles a frame decoded when it arrived: a binary frame, or a progress frame read without JSON.parse. */
    private readonly deliverDecoded: (message: ServerMessage) => void,
  ) {}

  /** A text frame, in arrival order. */
  text(text: string): void {
    // Read once: the same match that makes a progress frame holdable gives its fields.
    const progress = readProgressFrame(text);
    if (progress !== undefined) {
      this.hold('progress', progress.promptId, progress);
      return;
    }
    const key = holdable(text);
    if (key === undefined) {
      this.flush();
      this.deliver(text);
      return;
    }
    this.hold(key.kind, key.promptId, text);
  }

  /** A binary frame, decoded, in arrival order. */
  binary(message: ServerMessage): void {
    if (message.type !== 'preview') {
      this.flush();
      this.deliverDecoded(message);
      return;
    }
    this.hold('preview', this.previewKey(message), message);
  }

  /**
   * A preview with its prompt id (type 4) is about that prompt. One without (type 1, from a server that does not send
   * the metadata) goes to the job that last ran a step when it is handled: two of them are the same job's only if no
   * held `progress` frame (which can change that job) came between them. Every held `progress` frame is for the
   * prompt of the progress slot (another prompt's flushes it), so a legacy preview is keyed by that prompt, or by
   * none when it came before any: one after a progress frame never supersedes one from before it.
   */
  private previewKey(message: Extract<ServerMessage, { type: 'preview' }>): string {
    if (message.promptId !== undefined) return `id:${message.promptId}`;
    const progress = this.slots.progress;
    return progress === undefined ? 'legacy' : `legacy:${progress.promptId}`;
  }

  private hold(kind: HeldKind, promptId: string, frame: string | ServerMessage): void {
    const slot = this.slots[kind];
    const preview = this.slots.preview;
    if (slot !== undefined && kind !== 'preview' && preview !== undefined && preview.order > slot.order) {
      // A preview came after the held frame: it is handled with that frame's effect (see the top of this file).
      this.deliverBefore(preview.order);
      this.hold(kind, promptId, frame);
      return;
    }
    if (slot !== undefined && slot.promptId === promptId) {
      // The newest takes the place of its own arrival: a frame of another kind held since is delivered before it.
      slot.frame = frame;
      slot.order = this.arrivals++;
      this.superseded++;
      if (kind === 'preview') this.supersededPreviews++;
      return;
    }
    if (slot !== undefined) this.flush();
    this.slots[kind] = { promptId, frame, order: this.arrivals++ };
    this.held++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.later(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Delivers what is held, oldest first: before any other frame, at the end of the read, when the socket ends. */
  flush(): void {
    if (this.held > 0) this.deliverBefore(Infinity);
  }

  /** Delivers the held frames that arrived before `order`, oldest first; the later ones stay held. */
  private deliverBefore(order: number): void {
    // At most three, picked one at a time: no array or sort for every delivery.
    for (;;) {
      let first: Slot | undefined;
      let firstKind: HeldKind = 'progress';
      for (const kind of KINDS) {
        const slot = this.slots[kind];
        if (slot !== undefined && slot.order < order && (first === undefined || slot.order < first.order)) {
          first = slot;
          firstKind = kind;
        }
      }
      if (first === undefined) return;
      this.slots[firstKind] = undefined;
      this.held--;
      if (typeof first.frame === 'string') this.deliver(first.frame);
      else this.deliverDecoded(first.frame);
    }
  }
}
