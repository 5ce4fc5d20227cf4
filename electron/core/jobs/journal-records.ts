// What the journal remembers per server, as kept in memory and as written (both file versions share the records).
import { z } from 'zod';

const outputRef = z.object({
  nodeId: z.string(),
  kind: z.string(),
  index: z.number(),
  filename: z.string(),
  subfolder: z.string(),
  type: z.string(),
  animated: z.boolean().optional(),
  format: z.string().optional(),
});
const jobError = z.object({
  nodeId: z.string().optional(),
  nodeType: z.string().optional(),
  nodeTitle: z.string().optional(),
  exceptionType: z.string(),
  message: z.string(),
  traceback: z.array(z.string()),
  /** A readable sentence for the exception type (Comfy Cloud's OOMError…), kept across restarts. */
  hint: z.string().optional(),
});
export const finishedRecord = z.object({
  id: z.string(),
  status: z.enum(['completed', 'failed', 'cancelled', 'lost']),
  submittedBy: z.enum(['this-app', 'other']),
  workflowName: z.string().optional(),
  outputTitle: z.string().optional(),
  createdAt: z.number().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  durationMs: z.number().optional(),
  outputs: z.array(outputRef).default([]),
  error: jobError.optional(),
  lostReason: z.enum(['server-restarted', 'vanished']).optional(),
  caughtUp: z.boolean().optional(),
  /** What later stages did for this job (saved files, notification shown), keyed by stage. */
  handled: z.record(z.string(), z.unknown()).default({}),
});
export const activeRecord = z.object({
  id: z.string(),
  status: z.enum(['pending', 'running']),
  submittedBy: z.enum(['this-app', 'other']),
  workflowName: z.string().optional(),
  createdAt: z.number().optional(),
  startedAt: z.number().optional(),
  /** Workflow signature: a job waiting across a restart keeps its duration estimate before the server lists it. */
  signature: z.string().optional(),
});
export const clientIdRecord = z.object({ clientId: z.string(), closedCleanly: z.boolean() });
export const finishedMark = z.object({ anchors: z.array(z.string()), horizon: z.number().optional() });

export type FinishedRecord = z.infer<typeof finishedRecord>;
export type ActiveRecord = z.infer<typeof activeRecord>;
export type ClientIdRecord = z.infer<typeof clientIdRecord>;

/**
 * The top of the server's list of finished jobs at the last complete look through it: everything from there down
 * was settled then (announced, or there before we first watched the server). The next look reads down to the first
 * of these ids, or to jobs ordered well before `horizon` (server time) should all of them have been deleted. No
 * anchors and no horizon (an empty history, or one a server restart cleared): everything the server lists is newer.
 */
export interface FinishedMark {
  readonly anchors: readonly string[];
  readonly horizon?: number;
}

export interface ServerState {
  clientId?: ClientIdRecord;
  ownClientIds: string[];
  baselined: boolean;
  knownIds: Set<string>;
  mark?: FinishedMark;
  witness?: string;
  /** Oldest first: trimming takes from the front. */
  finished: Map<string, FinishedRecord>;
  active: ActiveRecord[];
}

export function emptyServer(): ServerState {
  return { ownClientIds: [], baselined: false, knownIds: new Set(), finished: new Map(), active: [] };
}
