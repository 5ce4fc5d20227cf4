// The `execution_error` payload, as the socket sends it and as history and the jobs API store it.
import { z } from 'zod';
import type { JobError } from '../../shared/app-state.js';
import { exceptionHint } from './exception-hints.js';

const optionalNodeId = z.union([z.string(), z.number(), z.null()]).optional().transform((v) => (v == null ? null : String(v)));

// Only the prompt id is needed to end the job; the rest is what the user reads, so a `null` or a stray type in it
// must never cost the message (and with it the job's end).
export const executionErrorSchema = z.object({
  prompt_id: z.string(),
  node_id: optionalNodeId.catch(null),
  node_type: z.string().nullable().optional().catch(undefined),
  exception_type: z.string().catch('Error').default('Error'),
  exception_message: z.string().catch('').default(''),
  traceback: z
    .array(z.unknown())
    .catch([])
    .default([])
    .transform((lines) => lines.filter((line): line is string => typeof line === 'string')),
  timestamp: z.number().optional().catch(undefined),
});

export function toJobError(d: z.infer<typeof executionErrorSchema>): JobError {
  const hint = exceptionHint(d.exception_type);
  return {
    ...(d.node_id != null && { nodeId: d.node_id }),
    ...(d.node_type != null && { nodeType: d.node_type }),
    exceptionType: d.exception_type,
    message: d.exception_message,
    traceback: d.traceback,
    ...(hint !== undefined && { hint }),
  };
}
