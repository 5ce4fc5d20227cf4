// Python's int(), float(), str(), bool() on JSON values, with Python's error messages (validation echoes them).
import { isLosslessNumber, LosslessNumber } from 'lossless-json';
import { pyRepr, pyStr, pyTypeName } from './json.js';

export class PyError extends Error {
  constructor(
    readonly pyType: string,
    /** str(exception) */
    readonly text: string,
  ) {
    super(`${pyType}: ${text}`);
  }
}

const INT_LITERAL = /^[+-]?\d+(?:_\d+)*$/;
const FLOAT_LITERAL = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+(?:_\d+)*\.|inf|infinity|nan)$/i;

export function pyInt(value: unknown): number | LosslessNumber {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
    if (!Number.isFinite(value)) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
    return Math.trunc(value);
  }
  if (isLosslessNumber(value)) {
    if (/^-?\d+$/.test(value.value)) return value;
    return Math.trunc(Number(value.value));
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (!INT_LITERAL.test(text)) throw new PyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
    const digits = text.replace(/_/g, '');
    const n = Number(digits);
    return Number.isSafeInteger(n) ? n : new LosslessNumber(digits.replace(/^\+/, ''));
  }
  throw new PyError('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`);
}

export function pyFloat(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (isLosslessNumber(value)) return Number(value.value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (!FLOAT_LITERAL.test(text)) throw new PyError('ValueError', `could not convert string to float: ${pyRepr(value)}`);
    const lower = text.toLowerCase().replace(/_/g, '');
    if (lower.endsWith('nan')) return NaN;
    if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
    return Number(lower);
  }
  throw new PyError('TypeError', `float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
}

export function pyBool(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (isLosslessNumber(value)) return Number(value.value) !== 0;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0;
}

export { pyStr };

/** Python's str() of a number that the server holds as a float (1 -> "1.0"). */
export function pyFloatStr(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return pyRepr(value);
}
