// Comfy Cloud's times: its OpenAPI says seconds where ComfyUI uses milliseconds, and its documentation shows both;
// the status endpoint uses ISO 8601 strings. Everything becomes epoch milliseconds here.

/** Below this a number is seconds (as milliseconds it would be before 1973; as seconds it reaches year 5138). */
const SECONDS_BELOW = 100_000_000_000;

/**
 * Epoch milliseconds. A whole second stands for the whole of it: an end (`round: 'up'`) is read as its last
 * millisecond, so a job's end is never before the start heard live to the millisecond.
 */
export function cloudTime(value: unknown, round: 'down' | 'up' = 'down'): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    if (value >= SECONDS_BELOW) return Math.round(value);
    return Number.isInteger(value) && round === 'up' ? value * 1000 + 999 : Math.round(value * 1000);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Date.parse(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
