// Text for a value from a parsed file, which may be anything JSON can hold. `String(value)` is not safe on such
// input: an object with its own `"toString": null` (or `valueOf`) makes it throw, and a dropped file must be
// refused with a reason, never crash the reader.

/** `value` as text, the way `String()` would give it, or `fallback` when the value cannot be turned into text. */
export function textOf(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return fallback;
  }
}
