// Progress frames a newer one supersedes before they were read. `progress` (one node's step) and `progress_state` (a
// snapshot of every node started so far) each replace what the one before said about the prompt, and a sampler sends
// both at every step. When frames arrive faster than one read at a time (a burst after a stall, a chatty server, a
// reconnect backlog), only the newest of each kind per prompt is worth parsing: the older ones are dropped unread.
// Any other frame (and the end of the read) delivers what is held first, so nothing else is reordered, and a frame
// that does not have exactly the shape ComfyUI sends is never held. What is delivered is always the frames in their
// arrival order, less the superseded ones: a held frame is delivered before any later frame of the other kind. Only
// frames of the other progress kind may come between a dropped frame and the one that supersedes it; the two kinds
// touch different parts of a job's progress (the node's step; the whole job's share), so the state they leave is the
// one every frame would have left.
export type HeldKind = 'progress' | 'progress_state';

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
  text: string;
  /** When the held frame (the newest of its slot) arrived, relative to the other slot's. */
  order: number;
}

export class FrameCoalescer {
  /** Frames dropped unread because a newer one of the same kind, for the same prompt, came in the same read. */
  superseded = 0;
  private state: Slot | undefined;
  private progress: Slot | undefined;
  private arrivals = 0;
  private scheduled = false;

  constructor(
    /** Parses and handles one text frame. */
    private readonly deliver: (text: string) => void,
    /** Runs `flush` once the current read is handled (the next turn of the event loop). */
    private readonly later: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {}

  /** A text frame, in arrival order. */
  text(text: string): void {
    const key = holdable(text);
    if (key === undefined) {
      this.flush();
      this.deliver(text);
      return;
    }
    const slot = key.kind === 'progress_state' ? this.state : this.progress;
    if (slot !== undefined && slot.promptId === key.promptId) {
      // The newest takes the place of its own arrival: a frame of the other kind held since is delivered before it.
      slot.text = text;
      slot.order = this.arrivals++;
      this.superseded++;
      return;
    }
    if (slot !== undefined) this.flush();
    const held: Slot = { promptId: key.promptId, text, order: this.arrivals++ };
    if (key.kind === 'progress_state') this.state = held;
    else this.progress = held;
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
    const { state, progress } = this;
    if (state === undefined && progress === undefined) return;
    this.state = undefined;
    this.progress = undefined;
    const first = state !== undefined && (progress === undefined || state.order < progress.order) ? state : progress;
    const second = first === state ? progress : state;
    if (first) this.deliver(first.text);
    if (second) this.deliver(second.text);
  }
}
