// What the window says after a queue-steering action: what was done, and for each job left as it was, why.
import type { SteerResult } from '../../electron/shared/ipc-contract.js';

export type SteerVerb = 'front' | 'back' | 'pause' | 'resume';

const DONE: Record<SteerVerb, (what: string) => string> = {
  front: (what) => `${what} moved to the front`,
  back: (what) => `${what} moved to the back`,
  pause: (what) => `Queue paused: ${what} held by Comfy Tray`,
  resume: (what) => `Queue resumed: ${what} queued again`,
};

function count(n: number): string {
  return n === 1 ? '1 job' : `${n} jobs`;
}

export function steerText(verb: SteerVerb, results: readonly Extract<SteerResult, { ok: true }>[], title: (id: string) => string): string {
  const done = results.flatMap((result) => result.done);
  const skipped = results.flatMap((result) => result.skipped);
  const what = done.length === 1 && verb !== 'pause' && verb !== 'resume' ? title(done[0]!) : count(done.length);
  const head = verb === 'pause' && done.length === 0 ? 'Queue paused: nothing was waiting' : verb === 'resume' && done.length === 0 ? 'Queue resumed' : DONE[verb](what);
  if (skipped.length === 0) return head;
  const reasons = skipped.slice(0, 3).map((s) => `${title(s.id)}: ${s.message}`);
  return `${head}. Left as ${skipped.length === 1 ? 'it was' : 'they were'}: ${reasons.join('; ')}${skipped.length > 3 ? ` and ${skipped.length - 3} more` : ''}`;
}
