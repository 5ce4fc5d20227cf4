// Field readers for the socket's hot path. Progress frames arrive by the thousand per job, so they are checked by
// hand rather than through a general schema library (a third of the decode cost in the benchmarks); each reader
// returns undefined for a value of the wrong type, and the caller decides whether that makes the frame malformed.

export type Fields = Readonly<Record<string, unknown>>;

export function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

export function readString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Node ids are strings, but tolerate numbers (custom servers); null/absent become null. */
export function readNodeId(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
