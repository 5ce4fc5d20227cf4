// The `execution_error` payload, as the socket sends it and as history and the jobs API store it.
import { z } from 'zod';
import type { JobError } from '../../shared/app-state.js';
import { exceptionHint } from './exception-hints.js';

const optionalNodeId = z.union([z.string(), z.number(), z.null()]).optional().transform((v) => (v == null ? null : String(v)));

export const executionErrorSchema = z.object({
  prompt_id: z.string(),
  node_id: optionalNodeId,
  node_type: z.string().nullable().optional(),
  exception_type: z.string().default('Error'),
  exception_message: z.string().default(''),
  traceback: z.array(z.string()).default([]),
  timestamp: z.number().optional(),
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
