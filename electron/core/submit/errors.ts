// Errors of the submit pipeline, with stable codes and the per-node problems a user must see (by title, input and
// message) — from conversion, from preflight, or from the server's 400. Kept apart from ../errors.ts (not ours).
export type SubmitErrorCode =
  /** The file holds no ComfyUI workflow (or an A1111 one, a template bundle…); see the message. */
  | 'SUBMIT_NOT_A_WORKFLOW'
  /** The UI workflow could not be converted with certainty; `problems` names every node and input. */
  | 'SUBMIT_CONVERSION_FAILED'
  /** The server cannot describe its nodes (a backend without /object_info) and the file needs conversion. */
  | 'SUBMIT_NO_OBJECT_INFO'
  /** Preflight found node types, models or values the server lacks; nothing was queued. */
  | 'SUBMIT_PREFLIGHT_FAILED'
  /** An input file could not be uploaded; nothing was queued. */
  | 'SUBMIT_UPLOAD_FAILED'
  /** The server refused the prompt (400); `problems` holds its per-node errors. */
  | 'SUBMIT_REJECTED'
  /** The request failed for another reason (network, server error). */
  | 'SUBMIT_FAILED'
  /** No connected server has every node type, model and input the workflow needs; `problems` says what each lacks. */
  | 'SUBMIT_NO_SERVER_FITS';

/** One problem located in the graph. `nodeId` is empty for problems that concern the whole prompt. */
export interface NodeProblem {
  readonly nodeId: string;
  readonly title: string;
  readonly classType?: string;
  readonly input?: string;
  readonly message: string;
}

export class SubmitError extends Error {
  readonly code: SubmitErrorCode;
  readonly problems: readonly NodeProblem[];

  constructor(code: SubmitErrorCode, message: string, options: { problems?: readonly NodeProblem[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SubmitError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

/** One line per problem: `node "Title" (#id), input "x": message`. */
export function describeProblem(problem: NodeProblem): string {
  if (problem.nodeId === '') return problem.message;
  const input = problem.input === undefined ? '' : `, input "${problem.input}"`;
  return `node "${problem.title}" (#${problem.nodeId})${input}: ${problem.message}`;
}
