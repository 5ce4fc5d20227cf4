// Workflow errors carry their own stable codes: the shared ErrorCode union lives in ../errors.ts (not ours to edit),
// so callers branch on WorkflowError.code exactly as they do on ComfyTrayError.code.

export type WorkflowErrorCode =
  | 'WORKFLOW_NOT_COMFY'
  | 'WORKFLOW_NO_METADATA'
  | 'WORKFLOW_DAMAGED'
  | 'WORKFLOW_TOO_LARGE'
  | 'WORKFLOW_UNSUPPORTED_FORMAT'
  | 'WORKFLOW_INVALID_JSON'
  | 'WORKFLOW_INVALID_GRAPH'
  | 'WORKFLOW_UNKNOWN_NODE'
  | 'WORKFLOW_UNSUPPORTED_NODE'
  | 'WORKFLOW_VALUE_MISMATCH'
  | 'WORKFLOW_BAD_OBJECT_INFO'
  /** Reading the file off the main thread took longer than its budget, or needed more memory: it was stopped. */
  | 'WORKFLOW_READ_TIMEOUT'
  | 'WORKFLOW_READ_OUT_OF_MEMORY'
  /** The reader itself failed (it could not start, or stopped). */
  | 'WORKFLOW_READ_FAILED';

/** Where in a graph an error happened, so the message can name the node by title and id. */
export interface NodeRef {
  readonly id: string;
  readonly title: string;
  readonly input?: string;
}

export class WorkflowError extends Error {
  readonly code: WorkflowErrorCode;
  readonly node: NodeRef | undefined;

  constructor(code: WorkflowErrorCode, message: string, options?: { node?: NodeRef; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorkflowError';
    this.code = code;
    this.node = options?.node;
  }
}

export function describeNode(ref: NodeRef): string {
  const input = ref.input === undefined ? '' : `, input "${ref.input}"`;
  return `node "${ref.title}" (#${ref.id})${input}`;
}
