// Reads an HTTP body into one string, refusing it past a size. A legacy /queue answer is tens of MB and twenty servers
// may answer at once, so the body is neither gathered whole outside the JavaScript heap (twenty such buffers leave the
// process holding memory it rarely gives back to the system) nor decoded piece by piece as it arrives (tens of MB of
// short strings in the heap's young generation, which the garbage collector copies, once or twice, while the body is
// still coming). Each piece is decoded as it comes and let go; the decoded pieces are joined a batch at a time into a
// string large enough for V8 to put it where objects are never moved, so only the last batch's pieces are young.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ComfyTrayError } from '../errors.js';

/**
 * Bytes joined into one string: above V8's largest movable object (128 KiB), so each batch's string is allocated in
 * the large-object space, never copied by a scavenge.
 */
export const DECODE_BATCH_BYTES = 256 * 1024;

export interface BodyLimits {
  /** Bodies above this many bytes are refused (`COMFY_RESPONSE_TOO_LARGE`). */
  readonly maxBytes: number;
  /** Names the request in errors. */
  readonly what: string;
}

/** The body as UTF-8 text (invalid sequences become U+FFFD). Errors of the stream itself are rethrown as they are. */
export async function readBodyText(body: Readable, limits: BodyLimits): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let size = 0;
  /** Decoded pieces not yet joined into a batch; their bytes. */
  let pieces: string[] = [];
  let piecesBytes = 0;
  for await (const chunk of body) {
    const piece = chunk as Buffer;
    size += piece.length;
    if (size > limits.maxBytes) {
      body.destroy();
      throw new ComfyTrayError('COMFY_RESPONSE_TOO_LARGE', `${limits.what} sent more than ${limits.maxBytes} bytes`);
    }
    // A character cut between two pieces is held by the decoder until the next one.
    pieces.push(decoder.write(piece));
    piecesBytes += piece.length;
    if (piecesBytes >= DECODE_BATCH_BYTES) {
      text += pieces.join('');
      pieces = [];
      piecesBytes = 0;
    }
  }
  pieces.push(decoder.end());
  return text + pieces.join('');
}
