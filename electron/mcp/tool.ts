// One MCP tool: its schemas (zod, published as JSON Schema), what it does to the world (its description and
// annotations say so), and how a failure reaches the agent: a tool error carrying the app's stable code.
import type { ZodError, z } from 'zod';
import { askingFailed } from '../cli/commands.js';
import { ComfyTrayError, errorMessage } from '../core/errors.js';
import { SubmitError, describeProblem, type NodeProblem } from '../core/submit/errors.js';

/** MCP's tool annotations (hints for clients: what a call may change). */
export interface ToolAnnotations {
  readonly readOnlyHint: boolean;
  readonly destructiveHint: boolean;
  readonly idempotentHint: boolean;
  /** The tool talks to servers beyond this machine. */
  readonly openWorldHint: boolean;
}

export interface ToolCall {
  /** Ends when the client cancels the request (or the server stops). */
  readonly signal: AbortSignal;
  /** Reports progress when the client asked for it (a progress token); `progress` only ever grows. */
  progress(progress: number, total: number | undefined, message: string): Promise<void>;
}

/** An image given to the agent as MCP image content. */
export interface ToolImage {
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

export interface ToolAnswer<O> {
  readonly structured: O;
  readonly images?: readonly ToolImage[];
}

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  readonly annotations: ToolAnnotations;
  run(args: z.output<I>, call: ToolCall): Promise<ToolAnswer<z.output<O>>>;
}

/** Keeps each tool's own argument and answer types while the server holds them in one list. */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: ToolDefinition<I, O>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/** A failure as the agent gets it: a stable code, one sentence, and per-node problems when there are any. */
export interface ToolFailure {
  readonly code: string;
  readonly message: string;
  readonly problems?: readonly NodeProblem[];
  /** Anything else the failure leaves behind that the agent must know (prompts that were queued before it). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A tool's refusal with the details an agent needs to act on it. */
export class ToolError extends Error {
  constructor(readonly failure: ToolFailure) {
    super(failure.message);
    this.name = 'ToolError';
  }
}

/** Code of a failure that is a bug here rather than anything the caller or a server did. */
export const INTERNAL_CODE = 'INTERNAL_ERROR';

/** Whatever a tool threw, as a coded failure; `bug` is told about anything that carries no code. */
export function failureOf(error: unknown, bug: (error: unknown) => void): ToolFailure {
  if (error instanceof ToolError) return error.failure;
  if (error instanceof SubmitError) return { code: error.code, message: error.message, ...(error.problems.length > 0 && { problems: error.problems }) };
  if (error instanceof ComfyTrayError) return { code: error.code, message: error.message };
  // A server's answer that does not parse, or a network failure without a code.
  const asking = askingFailed(error);
  if (asking !== undefined) return asking;
  bug(error);
  return { code: INTERNAL_CODE, message: `Comfy Tray failed at this: ${errorMessage(error)}` };
}

/** The text an agent reads for a failure: the sentence, its code, and one line per problem. */
export function failureText(failure: ToolFailure): string {
  const lines = [`${failure.message} [${failure.code}]`, ...(failure.problems ?? []).map((problem) => `- ${describeProblem(problem)}`)];
  return lines.join('\n');
}

/** The first problem of arguments that do not fit a tool's schema, as one sentence naming the field. */
export function argumentFailure(error: ZodError): ToolFailure {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const message = issue ? `${field === undefined ? 'The arguments' : `Argument "${field}"`}: ${issue.message}` : 'The arguments do not fit the tool';
  return { code: 'ARGUMENT_INVALID', message };
}
