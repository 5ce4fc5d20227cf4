// Reads a legacy /queue body without building its prompts. The body lists every queued job with its whole API prompt
// (and often the editor's whole workflow in extra_data): 10,000 jobs are tens of MB of JSON, listed again at every
// look, while a look needs only each job's queue number, id, submitter and creation time. Parsing all of it builds
// millions of objects that die a moment later; while the parse runs they all survive, so V8 grows its young
// generation to the maximum and the process keeps that memory for a while (docs/benchmarks.md). This scanner walks the
// text once, reads those few fields, and notes where each item's prompt, extra_data and output list are, so that only
// a job new to the app has its prompt parsed (one item at a time: nothing survives long enough to grow the heap).
//
// Strict where the look depends on it: the envelope, each item being an array, the id and the queue number. Values it
// steps over are checked only for balanced brackets and closed strings; an item's prompt is checked by JSON.parse
// when someone reads it. Anything the scanner does not expect throws `ListingScanError`, and the caller parses the
// body the ordinary way, which accepts exactly what JSON.parse accepts and reports what is wrong.
import { JSON_NUMBER, stringEndAt } from './json-tokens.js';

/** Where a value is in the body: `text.slice(start, end)` is its JSON; both -1 when the item has no such element. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One queue item, as read by the scanner. Fields are plain (no optional spreads): 10,000 items per look. */
export class ScannedItem {
  /** The queue `number`, when it is a JSON number. */
  number: number | undefined = undefined;
  /** item[1], when it is a string. */
  id: string | undefined = undefined;
  /** item[2]: the API prompt. */
  prompt: Span | undefined = undefined;
  /** extra_data and the output node ids: item[3] and item[4], or the other way round (Comfy Cloud). */
  extra: Span | undefined = undefined;
  outputs: Span | undefined = undefined;
  /** `client_id` and `create_time` of the item's extra_data (whichever of item[3] and item[4] is an object). */
  clientId: string | undefined = undefined;
  createdAt: number | undefined = undefined;
  /** Its extra_data names an `extra_pnginfo` member (where a workflow's own name is): else nothing there names the job. */
  extraHasPngInfo = false;
  /** How many elements the item has. */
  length = 0;
}

export interface ScannedListing {
  readonly running: readonly ScannedItem[];
  readonly pending: readonly ScannedItem[];
}

export class ListingScanError extends Error {
  constructor(message: string, readonly at: number) {
    super(`${message} at ${at}`);
    this.name = 'ListingScanError';
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Deeper than any prompt; a guard against a body built to exhaust the scanner's bracket stack. */
const MAX_DEPTH = 10_000;
const NUMBER = new RegExp(JSON_NUMBER, 'y');

export function scanQueueListing(text: string): ScannedListing {
  return new Scanner(text).listing();
}

class Scanner {
  private pos = 0;
  /** The closing bracket each open one expects. */
  private readonly closers = new Uint8Array(MAX_DEPTH);

  constructor(private readonly text: string) {}

  listing(): ScannedListing {
    let running: ScannedItem[] | undefined;
    let pending: ScannedItem[] | undefined;
    this.expect(OPEN_OBJECT);
    if (!this.consume(CLOSE_OBJECT)) {
      do {
        const key = this.key();
        this.expect(COLON);
        // Later duplicates win, as with JSON.parse.
        if (key === 'queue_running') running = this.items();
        else if (key === 'queue_pending') pending = this.items();
        else this.skipValue();
      } while (this.consume(COMMA));
      this.expect(CLOSE_OBJECT);
    }
    this.whitespace();
    if (this.pos !== this.text.length) this.fail('text after the body');
    if (!running || !pending) this.fail('no queue_running or queue_pending array');
    return { running, pending };
  }

  private items(): ScannedItem[] {
    const items: ScannedItem[] = [];
    this.expect(OPEN_ARRAY);
    if (this.consume(CLOSE_ARRAY)) return items;
    do items.push(this.item());
    while (this.consume(COMMA));
    this.expect(CLOSE_ARRAY);
    return items;
  }

  private item(): ScannedItem {
    this.expect(OPEN_ARRAY);
    if (this.consume(CLOSE_ARRAY)) this.fail('an empty queue item');
    const item = new ScannedItem();
    let third: Span | undefined;
    let fourth: Span | undefined;
    do {
      this.whitespace();
      const start = this.pos;
      if (item.length === 0) item.number = this.numberOrSkip();
      else if (item.length === 1) item.id = this.stringOrSkip();
      else {
        this.skipValue();
        if (item.length <= 4) {
          const span = { start, end: this.pos };
          if (item.length === 2) item.prompt = span;
          else if (item.length === 3) third = span;
          else fourth = span;
        }
      }
      item.length++;
    } while (this.consume(COMMA));
    this.expect(CLOSE_ARRAY);
    if (item.length < 2) this.fail('a queue item of one element');
    // extra_data is item[3], or item[4] where item[3] is the output list (Comfy Cloud).
    const cloudOrder = third !== undefined && this.text.charCodeAt(third.start) === OPEN_ARRAY;
    item.extra = cloudOrder ? fourth : third;
    item.outputs = cloudOrder ? third : fourth;
    if (item.extra !== undefined && this.text.charCodeAt(item.extra.start) === OPEN_OBJECT) this.readExtra(item.extra, item);
    return item;
  }

  /** The two fields of extra_data a look uses, and whether it has `extra_pnginfo`; the rest (the workflow) is stepped over. */
  private readExtra(span: Span, item: ScannedItem): void {
    const end = this.pos;
    this.pos = span.start;
    this.expect(OPEN_OBJECT);
    if (!this.consume(CLOSE_OBJECT)) {
      do {
        const key = this.key();
        this.expect(COLON);
        this.whitespace();
        if (key === 'client_id') item.clientId = this.stringOrSkip();
        else if (key === 'create_time') item.createdAt = this.numberOrSkip();
        else {
          if (key === 'extra_pnginfo') item.extraHasPngInfo = true;
          this.skipValue();
        }
      } while (this.consume(COMMA));
      this.expect(CLOSE_OBJECT);
    }
    this.pos = end;
  }

  private numberOrSkip(): number | undefined {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match && this.endsValue(this.pos + match[0].length)) {
      this.pos += match[0].length;
      return Number(match[0]);
    }
    this.skipValue();
    return undefined;
  }

  private stringOrSkip(): string | undefined {
    if (this.text.charCodeAt(this.pos) === QUOTE) return this.string();
    this.skipValue();
    return undefined;
  }

  /**
   * A JSON string at the position (after whitespace), unescaped. Always a copy, through JSON.parse: a slice of the
   * body would keep the whole body (megabytes) alive for as long as the job keeps its id.
   */
  private string(): string {
    this.whitespace();
    const start = this.pos;
    if (this.text.charCodeAt(start) !== QUOTE) this.fail('expected a string');
    this.pos = this.skipString(start);
    return this.parseString(start);
  }

  /** A member's name, only compared (so a slice of the body is fine); unescaped when it has escapes. */
  private key(): string {
    this.whitespace();
    const start = this.pos;
    if (this.text.charCodeAt(start) !== QUOTE) this.fail('expected a member name');
    this.pos = this.skipString(start);
    const inner = this.text.slice(start + 1, this.pos - 1);
    return inner.includes('\\') ? this.parseString(start) : inner;
  }

  /** The string from `start` to the position, through JSON.parse (which unescapes it, and copies it). */
  private parseString(start: number): string {
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return this.fail('a malformed string');
    }
  }

  /** The position after the string that opens at `start`. */
  private skipString(start: number): number {
    const end = stringEndAt(this.text, start);
    return end < 0 ? this.fail('an unterminated string') : end;
  }

  private skipValue(): void {
    this.whitespace();
    const { text } = this;
    const first = text.charCodeAt(this.pos);
    if (first === QUOTE) {
      this.pos = this.skipString(this.pos);
      return;
    }
    if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
      this.skipContainer();
      return;
    }
    // A literal or a number (NaN and Infinity included: Python writes them): up to the next delimiter.
    const start = this.pos;
    let pos = start;
    while (pos < text.length && !this.endsValue(pos)) pos++;
    if (pos === start) this.fail('expected a value');
    this.pos = pos;
  }

  /**
   * Steps over an object or array: strings skipped whole, brackets matched by kind. One loop over the characters, with
   * nothing allocated: this is where a look spends its time (every prompt of every queued job).
   */
  private skipContainer(): void {
    const { text, closers } = this;
    let pos = this.pos;
    let depth = 0;
    for (;;) {
      const c = text.charCodeAt(pos++);
      if (c === QUOTE) {
        pos = stringEndAt(text, pos - 1);
        if (pos < 0) this.fail('an unterminated string');
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (depth === MAX_DEPTH) this.fail('nesting too deep');
        // `{` + 2 is `}`, `[` + 2 is `]`.
        closers[depth++] = c + 2;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (closers[--depth] !== c) this.fail('a bracket that does not match');
        if (depth === 0) break;
      } else if (c !== c) {
        this.fail('the body ends inside a value');
      }
    }
    this.pos = pos;
  }

  /** Whether the character at `pos` ends a literal: a delimiter, whitespace or the end of the text. */
  private endsValue(pos: number): boolean {
    const c = this.text.charCodeAt(pos);
    return Number.isNaN(c) || c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  }

  private whitespace(): void {
    const { text } = this;
    let c = text.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.pos);
  }

  private consume(c: number): boolean {
    this.whitespace();
    if (this.text.charCodeAt(this.pos) !== c) return false;
    this.pos++;
    return true;
  }

  private expect(c: number): void {
    if (!this.consume(c)) this.fail(`expected ${String.fromCharCode(c)}`);
  }

  private fail(message: string): never {
    throw new ListingScanError(message, this.pos);
  }
}
