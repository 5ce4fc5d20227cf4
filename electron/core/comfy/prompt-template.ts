// A queued prompt read without parsing it, when it is the text of a prompt already read with other widget values.
//
// Why: the first look at a big legacy queue meets thousands of jobs new to the app, and each one's node table, name and
// signature come from its prompt. Parsing 10,000 prompts of ~3 KB builds millions of objects that die at once; yet a
// busy queue is a few workflows queued again and again, whose prompts differ only in widget values (a seed, a text).
// A template is the text of one such prompt cut at those values: the rest (node ids, class types, titles, input
// names, links, punctuation) must appear again character for character, and each cut must hold one JSON scalar of the
// kind the template's prompt had there (a string, a number, a boolean; any scalar where it had null).
//
// What a match proves: the prompt parses (JSON.parse would accept it) to the template's prompt with other scalars as
// the values of some inputs, and an input that is a scalar is never a link. So it has the same node ids, class types,
// titles and links: the same node table and workflow signature (prompt-shape.ts, workflow-signature.ts). Its name
// reads only the values of a few inputs (job-name.ts), and the cuts at those inputs are given back as a key, so that
// a name is worked out once per key. Anything else (another key order, other spacing, a value of another kind, an
// escaped member name, a changed link or title) simply does not match, and the prompt is parsed as before.
import { NAME_INPUTS } from './job-name.js';
import { JSON_NUMBER, JSON_STRING, stringEndAt } from './json-tokens.js';

/** A prompt's text cut at its inputs' scalar values, as one sticky pattern: the literal text, and a JSON scalar at each cut. */
export interface PromptTemplate {
  readonly pattern: RegExp;
  /** How many cuts are at inputs that can name the job (a filename prefix, a model): the pattern captures those. */
  readonly naming: number;
}

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NAMING = new Set<string>(NAME_INPUTS);
/** Separates the naming values in a key: a raw JSON scalar never holds a NUL character (it would be escaped). */
const KEY_SEPARATOR = '\u0000';
/** A bigger pattern is not worth compiling (V8 also refuses patterns past a size). */
const MAX_PATTERN = 64 * 1024;

/**
 * JSON scalars, exactly as JSON.parse reads them, plus the NaN and Infinity that parseJson takes (json.ts; Python
 * writes them). A string is checked as JSON.parse checks it (no raw control character, only JSON's escapes). Each
 * has one way to match from a given start, so a prompt that does not fit fails after a short walk back.
 */
const NUMBER = `${JSON_NUMBER}|NaN|-?Infinity`;
const BOOLEAN = 'true|false';
/**
 * What a cut takes: a value of the kind the template's prompt had there (a seed stays a number, a text a string), or
 * any scalar where it had null. Each kind costs compiled code, and a cut that takes any scalar costs five times what
 * one kind does; a prompt with a value of another kind is simply parsed.
 */
const CUT_PATTERN: Readonly<Record<CutKind, string>> = { string: JSON_STRING, number: NUMBER, boolean: BOOLEAN, any: `${JSON_STRING}|${NUMBER}|${BOOLEAN}|null` };
type CutKind = 'string' | 'number' | 'boolean' | 'any';

/**
 * The template of a prompt's JSON text, which the caller has parsed (so it is JSON, NaN and Infinity included, as
 * Python writes them). Undefined when it is not an object, has no input to cut, or is too big to be worth one.
 */
export function promptTemplate(text: string): PromptTemplate | undefined {
  let cut: ReturnType<TemplateBuilder['build']>;
  try {
    cut = new TemplateBuilder(text).build();
  } catch {
    // Not JSON after all (the caller's parse said it was): no template, and the prompt is parsed every time.
    return undefined;
  }
  if (!cut) return undefined;
  let source = '';
  let naming = 0;
  cut.literals.forEach((literal, i) => {
    source += escapeLiteral(literal);
    const at = cut.cuts[i];
    if (at === undefined) return;
    if (at.naming) naming++;
    source += at.naming ? `(${CUT_PATTERN[at.kind]})` : `(?:${CUT_PATTERN[at.kind]})`;
  });
  if (source.length > MAX_PATTERN) return undefined;
  return { pattern: new RegExp(source, 'y'), naming };
}

/**
 * Whether `text.slice(start, end)` is the template with a JSON scalar at each cut, read in place. Gives back the key
 * of its naming values (the empty string when the template has none), or undefined when it does not match.
 */
export function matchPromptTemplate(template: PromptTemplate, text: string, start: number, end: number): string | undefined {
  const { pattern, naming } = template;
  pattern.lastIndex = start;
  if (naming === 0) return pattern.test(text) && pattern.lastIndex === end ? '' : undefined;
  const match = pattern.exec(text);
  if (match === null || pattern.lastIndex !== end) return undefined;
  let key = match[1]!;
  for (let i = 2; i <= naming; i++) key += KEY_SEPARATOR + match[i]!;
  return key;
}

/**
 * The literal text as a pattern, every character but letters, digits, `_` and space escaped (ASCII punctuation with a
 * backslash, anything else by its UTF-16 code unit). The result is a new string: the pattern keeps no slice of a body.
 */
function escapeLiteral(literal: string): string {
  return literal.replace(/[^A-Za-z0-9_ ]/g, (c) => (c >= '!' && c <= '~' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

// ---- building one ------------------------------------------------------------------------------------------------

/**
 * Walks text that is known to be JSON: cuts at the scalar values of `<node id>.inputs.<name>` members, keeps the rest
 * as literals. Member names with escapes are never cut under (compared raw, as the text has them).
 */
class TemplateBuilder {
  private pos = 0;
  private literalStart = 0;
  private readonly literals: string[] = [];
  private readonly cuts: { kind: CutKind; naming: boolean }[] = [];

  constructor(private readonly text: string) {}

  build(): { literals: readonly string[]; cuts: readonly { kind: CutKind; naming: boolean }[] } | undefined {
    this.whitespace();
    if (this.text.charCodeAt(this.pos) !== OPEN_OBJECT) return undefined;
    this.members(() => this.node());
    if (this.cuts.length === 0) return undefined;
    this.literals.push(this.text.slice(this.literalStart));
    return { literals: this.literals, cuts: this.cuts };
  }

  /** A node: the value of its `inputs` member is where the cuts are. */
  private node(): void {
    if (this.text.charCodeAt(this.pos) !== OPEN_OBJECT) return this.skipValue();
    this.members((name) => (name === 'inputs' && this.text.charCodeAt(this.pos) === OPEN_OBJECT ? this.members((input) => this.input(input)) : this.skipValue()));
  }

  private input(name: string | undefined): void {
    const first = this.text.charCodeAt(this.pos);
    if (name === undefined || first === OPEN_OBJECT || first === OPEN_ARRAY) return this.skipValue();
    const start = this.pos;
    this.skipValue();
    this.literals.push(this.text.slice(this.literalStart, start));
    this.cuts.push({ kind: kindOf(first), naming: NAMING.has(name) });
    this.literalStart = this.pos;
  }

  /** An object's members, at its `{`; each value handed to `value` with the position at its first character. */
  private members(value: (name: string | undefined) => void): void {
    this.pos++;
    this.whitespace();
    if (this.text.charCodeAt(this.pos) === CLOSE_OBJECT) {
      this.pos++;
      return;
    }
    for (;;) {
      this.whitespace();
      const start = this.pos;
      this.pos = this.stringEnd(start);
      const raw = this.text.slice(start + 1, this.pos - 1);
      this.whitespace();
      this.pos++; // the colon
      this.whitespace();
      value(raw.includes('\\') ? undefined : raw);
      this.whitespace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === CLOSE_OBJECT) return;
      if (c !== COMMA) throw new Error(`not JSON at ${this.pos - 1}`);
    }
  }

  private skipValue(): void {
    const { text } = this;
    const first = text.charCodeAt(this.pos);
    if (first === QUOTE) {
      this.pos = this.stringEnd(this.pos);
      return;
    }
    if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
      // A number or a literal: up to the next delimiter.
      let c = text.charCodeAt(this.pos);
      while (!(c !== c || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || c === COLON || isWhitespace(c))) c = text.charCodeAt(++this.pos);
      return;
    }
    let depth = 0;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === QUOTE) {
        this.pos = this.stringEnd(this.pos);
        continue;
      }
      this.pos++;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return;
      else if (c !== c) throw new Error('not JSON: the text ends inside a value');
    }
  }

  private stringEnd(start: number): number {
    const end = stringEndAt(this.text, start);
    if (end < 0) throw new Error('not JSON: an unterminated string');
    return end;
  }

  private whitespace(): void {
    while (isWhitespace(this.text.charCodeAt(this.pos))) this.pos++;
  }
}

/** The kind of the scalar whose first character is `first`. */
function kindOf(first: number): CutKind {
  if (first === QUOTE) return 'string';
  if (first === 0x74 /* t */ || first === 0x66 /* f */) return 'boolean';
  if (first === 0x6e /* n */) return 'any';
  return 'number';
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
