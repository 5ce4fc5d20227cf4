// JSON the way the Python server reads and writes it: integers beyond 2^53 survive a round trip (LosslessNumber),
// duplicate keys keep the last value, output uses json.dumps' default separators and ensure_ascii escaping.
import { isLosslessNumber, isSafeNumber, LosslessNumber, parse } from 'lossless-json';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}

/** Parses client JSON; unsafe integers stay LosslessNumber. Throws SyntaxError on bad JSON. */
export function parseJson(text: string): unknown {
  return parse(text, null, {
    parseNumber: (raw: string) => (isSafeNumber(raw, { approx: false }) ? Number(raw) : new LosslessNumber(raw)),
    onDuplicateKey: ({ newValue }) => newValue,
  });
}

/** A number for comparisons (LosslessNumber is converted, possibly rounded). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (isLosslessNumber(value)) return Number(value.value);
  return undefined;
}

export function isNumeric(value: unknown): boolean {
  return typeof value === 'number' || isLosslessNumber(value);
}

const HAS_NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII = /[\u007f-\uffff]/g;

/** json.dumps string: JSON.stringify escapes like Python except non-ASCII (ensure_ascii) and DEL. */
function pyString(text: string): string {
  const json = JSON.stringify(text);
  return HAS_NON_ASCII.test(json) ? json.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

/** Python `json.dumps(value)` (default separators, ensure_ascii=True). */
export function pyDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyString(value);
  if (isLosslessNumber(value)) return value.value;
  if (Array.isArray(value)) return `[${value.map((v) => pyDumps(v)).join(', ')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      parts.push(`${pyString(key)}: ${pyDumps(v)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  return 'null';
}

function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of text) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** Python `repr(value)` for JSON-like data (used where the server formats values with str()/repr()). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isNaN(value) ? 'nan' : Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : '-inf';
  if (typeof value === 'string') return pyStrRepr(value);
  if (isLosslessNumber(value)) return value.value;
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Python `str(value)`: strings as they are, everything else like repr(). */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python's name of a JSON value's type, as it appears in TypeError messages. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (isLosslessNumber(value)) return 'int';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

export function deepCopy<T>(value: T): T {
  return structuredCloneJson(value) as T;
}

function structuredCloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structuredCloneJson);
  if (isLosslessNumber(value)) return new LosslessNumber(value.value);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: structuredCloneJson(v), enumerable: true, writable: true, configurable: true });
      else out[k] = structuredCloneJson(v);
    }
    return out;
  }
  return value;
}
