// JSON as ComfyUI writes it. Python's json.dumps may emit NaN/Infinity (a node's float outputs), which JSON.parse
// rejects, and prompts may carry integers above 2^53 (64-bit seeds), which JSON.parse silently rounds.
import { isSafeNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';

const NON_FINITE = /(?:-?Infinity|NaN)/;
const LONG_INTEGER = /\d{16,}/;

/**
 * Parses server JSON. Non-finite numbers become null. With `exactIntegers`, integers that a double cannot hold
 * become `bigint`, so a prompt read here and written back with `stringifyJson` is unchanged.
 */
export function parseJson(text: string, options: { exactIntegers?: boolean } = {}): unknown {
  const exact = options.exactIntegers === true && LONG_INTEGER.test(text);
  if (!exact) {
    try {
      return JSON.parse(text);
    } catch (error) {
      if (!NON_FINITE.test(text)) throw error;
      return JSON.parse(replaceNonFinite(text));
    }
  }
  const source = NON_FINITE.test(text) ? replaceNonFinite(text) : text;
  return parseLossless(source, null, parseNumberExactly);
}

/** Stringifies values that may hold `bigint`s (from `parseJson(…, {exactIntegers: true})`) without rounding. */
export function stringifyJson(value: unknown, indent?: number): string {
  return containsBigInt(value) ? (stringifyLossless(value, undefined, indent) ?? 'null') : JSON.stringify(value, undefined, indent);
}

function parseNumberExactly(value: string): number | bigint {
  if (/^-?\d+$/.test(value) && !isSafeNumber(value)) return BigInt(value);
  return Number(value);
}

/**
 * Looks at every level (with its own stack, not recursion): a big integer nested deeper than any fixed bound would
 * otherwise reach JSON.stringify, which throws on it.
 */
function containsBigInt(root: unknown): boolean {
  const stack: unknown[] = [root];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'bigint') return true;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    stack.push(...(Array.isArray(value) ? value : Object.values(value)));
  }
  return false;
}

/** Replaces bare NaN / Infinity / -Infinity tokens (outside strings) with null. */
export function replaceNonFinite(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
      continue;
    }
    if (ch === 34) {
      inString = true;
      continue;
    }
    const token = matchNonFinite(text, i);
    if (token > 0) {
      out += `${text.slice(last, i)}null`;
      i += token - 1;
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

function matchNonFinite(text: string, i: number): number {
  if (text.startsWith('NaN', i)) return 3;
  if (text.startsWith('Infinity', i)) return 8;
  if (text.startsWith('-Infinity', i)) return 9;
  return 0;
}
