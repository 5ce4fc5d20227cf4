// JSON's tokens, exactly as JSON.parse reads them, for the readers that take server text in place without parsing it
// (hot-frames.ts, binary-frames.ts, queue-listing-scan.ts, prompt-template.ts). One grammar for all of them: each
// reader promises to read what JSON.parse would, and a property test holds each to that.

/** A JSON number (pattern source, not captured). */
export const JSON_NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
/** A JSON string without escapes, quotes included, not captured. */
export const PLAIN_STRING = String.raw`"[^"\\\x00-\x1f]*"`;
/** The characters of a JSON string without escapes (between its quotes), as a capture group. */
export const PLAIN_TEXT = String.raw`([^"\\\x00-\x1f]*)`;
/** Any JSON string, quotes included, not captured: no raw control character, only JSON's escapes. */
export const JSON_STRING = String.raw`"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"`;

const BACKSLASH = 0x5c;

/**
 * The position after the string whose opening quote is at `start`, or -1 when it is not closed. A quote ends it unless
 * an odd run of backslashes stands before it; the characters in between are not checked.
 */
export function stringEndAt(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}
