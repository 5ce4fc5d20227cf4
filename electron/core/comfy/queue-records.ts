// The exact record of each queued job as the server's /queue gives it, for taking a job off the queue and queueing it
// again unchanged: the API prompt and extra_data are kept as JSON text with every number as the server wrote it (64-bit
// seeds, floats such as 1.0), never through a JavaScript number. ComfyUI has no reorder or pause API; these records
// are what makes "delete, then queue again with the same prompt id" lossless.
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { z } from 'zod';
import { replaceNonFinite } from '../json.js';

export interface QueuedPrompt {
  readonly id: string;
  readonly status: 'pending' | 'running';
  /** The queue `number` the server ordered it by (lower runs first). */
  readonly priority?: number;
  /** The API prompt, exactly as the server listed it. */
  readonly promptJson: string;
  /** `extra_data` as the server exposes it (client id, create time, the UI workflow), exactly; absent when none. */
  readonly extraDataJson?: string;
  /** The submitter's client id (`extra_data.client_id`), sent again so its socket keeps hearing the job. */
  readonly clientId?: string;
}

const queueBody = z.object({ queue_running: z.array(z.unknown()), queue_pending: z.array(z.unknown()) });

/** Every queued job in a /queue body (`[number, prompt_id, prompt, extra_data, outputs]`; Comfy Cloud swaps the last two). */
export function queuedPrompts(text: string): QueuedPrompt[] {
  const body = queueBody.parse(parse(replaceNonFinite(text)));
  return [
    ...body.queue_running.flatMap((item) => queuedPrompt(item, 'running') ?? []),
    ...body.queue_pending.flatMap((item) => queuedPrompt(item, 'pending') ?? []),
  ];
}

function queuedPrompt(item: unknown, status: 'pending' | 'running'): QueuedPrompt | undefined {
  if (!Array.isArray(item) || item.length < 3) return undefined;
  const [number, id, prompt] = item as unknown[];
  if (typeof id !== 'string' || !isRecord(prompt)) return undefined;
  const extra = Array.isArray(item[3]) ? item[4] : item[3];
  const priority = isLosslessNumber(number) ? Number(number.value) : undefined;
  const clientId = isRecord(extra) && typeof extra.client_id === 'string' ? extra.client_id : undefined;
  return {
    id,
    status,
    ...(priority !== undefined && Number.isFinite(priority) && { priority }),
    promptJson: stringifyExact(prompt),
    ...(isRecord(extra) && { extraDataJson: stringifyExact(extra) }),
    ...(clientId !== undefined && { clientId }),
  };
}

/** A prompt stored by a jobs API detail (`workflow.prompt` / `workflow.extra_data`), where a server gives it for a queued job. */
export function queuedPromptFromJobRecord(text: string, status: 'pending' | 'running'): QueuedPrompt | undefined {
  const body = parse(replaceNonFinite(text));
  if (!isRecord(body) || typeof body.id !== 'string') return undefined;
  const workflow = isRecord(body.workflow) ? body.workflow : undefined;
  const prompt = workflow?.prompt;
  if (!isRecord(prompt)) return undefined;
  const extra = workflow?.extra_data;
  const clientId = isRecord(extra) && typeof extra.client_id === 'string' ? extra.client_id : undefined;
  const priority = isLosslessNumber(body.priority) ? Number(body.priority.value) : undefined;
  return {
    id: body.id,
    status,
    ...(priority !== undefined && Number.isFinite(priority) && { priority }),
    promptJson: stringifyExact(prompt),
    ...(isRecord(extra) && { extraDataJson: stringifyExact(extra) }),
    ...(clientId !== undefined && { clientId }),
  };
}

/**
 * The body of POST /prompt that queues a held job again: its own prompt id, its prompt and extra_data as they were, its
 * submitter's client id, and where it goes (an explicit queue number, or the front).
 */
export function requeueBody(job: Pick<QueuedPrompt, 'id' | 'promptJson' | 'extraDataJson' | 'clientId'>, placement: QueuePlacement): string {
  const parts = [`"prompt": ${job.promptJson}`, `"prompt_id": ${JSON.stringify(job.id)}`];
  if (job.clientId !== undefined) parts.push(`"client_id": ${JSON.stringify(job.clientId)}`);
  if (job.extraDataJson !== undefined) parts.push(`"extra_data": ${job.extraDataJson}`);
  if (placement.kind === 'number') parts.push(`"number": ${formatNumber(placement.number)}`);
  if (placement.kind === 'front') parts.push('"front": true');
  return `{${parts.join(', ')}}`;
}

/** Where a job queued again goes: after everything (`append`), at the front, or at an explicit queue number. */
export type QueuePlacement = { readonly kind: 'append' } | { readonly kind: 'front' } | { readonly kind: 'number'; readonly number: number };

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError('A queue number must be finite');
  return String(value);
}

function stringifyExact(value: unknown): string {
  return stringify(value) ?? 'null';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isLosslessNumber(value);
}
