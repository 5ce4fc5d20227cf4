// Files the user handed us (dropped on the window or the tray, picked, opened with the app, passed on the command
// line) on their way to a server: opened once, prepared for whichever server the user picks (as often as they
// change their mind), then submitted exactly as last shown. Each file is named by a token until it is submitted or
// discarded; other files of the same drop travel with it as attachments (input images a LoadImage node needs).
import { workflowOwnName } from '../comfy/job-name.js';
import { randomUUID } from 'node:crypto';
import { errorCode, errorMessage } from '../errors.js';
import type { DropOptions, DroppedFile, NodeProblemView, OpenedWorkflow, PrepareResult, WorkflowSubmitResult } from '../../shared/ipc-contract.js';
import type { ExtractResult } from '../workflow/extract.js';
import { WorkflowReader, type ReadWorkflowFile } from '../workflow/workflow-reader.js';
import { SubmitError } from './errors.js';
import type { NodeProblem } from './errors.js';
import { prepareSubmission } from './prepare.js';
import type { BackendHost, PreparedSubmission } from './prepare.js';
import { submitPrepared } from './submit.js';
import type { SubmitHost } from './submit.js';

export interface InboxLimits {
  /** Files in one drop. */
  readonly maxFiles: number;
  /** Bytes of one file. */
  readonly maxFileBytes: number;
  /** Bytes of one drop, all files together. */
  readonly maxDropBytes: number;
  /** Opened files kept at once; the oldest is dropped beyond it (a window left open with files never submitted). */
  readonly maxOpen: number;
}

export const INBOX_LIMITS: InboxLimits = { maxFiles: 64, maxFileBytes: 256 * 1024 * 1024, maxDropBytes: 512 * 1024 * 1024, maxOpen: 32 };

interface OpenedFile {
  readonly file: DroppedFile;
  /** What reading the file found, kept so preparing never reads it again (on the main thread). */
  readonly extracted: ExtractResult;
  readonly attachments: ReadonlyMap<string, Uint8Array>;
  /** The submission last shown to the user, and for which server and options. */
  prepared?: { readonly key: string; readonly submission: PreparedSubmission };
}

export class WorkflowInbox {
  private readonly opened = new Map<string, OpenedFile>();

  /**
   * `readFile` reads one file; by default off the main thread (WorkflowReader), so a hostile file never freezes the
   * process that runs the tray and the window.
   */
  constructor(
    private readonly host: BackendHost & SubmitHost,
    private readonly limits: InboxLimits = INBOX_LIMITS,
    private readonly readFile: ReadWorkflowFile = offThreadReader(),
  ) {}

  /** Reads every file of one drop: each that carries a workflow gets a token; the others ride along as attachments. */
  async open(files: readonly DroppedFile[]): Promise<OpenedWorkflow[]> {
    if (files.length > this.limits.maxFiles) {
      return [{ ok: false, name: `${files.length} files`, code: 'DROP_TOO_MANY_FILES', message: `Drop at most ${this.limits.maxFiles} files at once` }];
    }
    const total = files.reduce((sum, file) => sum + file.bytes.length, 0);
    if (total > this.limits.maxDropBytes) {
      return [{ ok: false, name: `${files.length} files`, code: 'DROP_TOO_LARGE', message: `These files hold ${mib(total)}; one drop can hold at most ${mib(this.limits.maxDropBytes)}` }];
    }
    const read = await Promise.all(files.map(async (file) => ({ file, result: await this.read(file) })));
    const workflows = read.filter((entry) => entry.result.kind === 'comfy');
    const attachments = new Map(read.filter((entry) => entry.result.kind !== 'comfy').map((entry) => [entry.file.name, entry.file.bytes]));
    const answers: OpenedWorkflow[] = [];
    for (const { file, result } of read) {
      if (result.kind === 'comfy') {
        answers.push(this.keep(file, result, attachments));
      } else if (workflows.length === 0) {
        // Alone (or among other non-workflows) a file without a workflow is an error worth explaining.
        answers.push(notAWorkflow(file.name, result));
      }
    }
    return answers;
  }

  /** Converts and preflights an opened file for one server; the answer is what `submit` will queue. */
  async prepare(token: string, serverId: string, options: DropOptions): Promise<PrepareResult> {
    const entry = this.opened.get(token);
    if (!entry) return { ok: false, code: 'DROP_UNKNOWN_TOKEN', message: 'This file is no longer open; drop it again', problems: [] };
    try {
      const submission = await this.prepareFor(entry, serverId, options);
      return {
        ok: true,
        origin: submission.origin,
        prompts: submission.prompts.length,
        nodeCount: Object.keys(submission.prompt).length,
        problems: submission.problems.map(problemView),
        blocking: submission.blocking.length,
        uploadable: [...submission.uploadable.keys()],
        warnings: submission.warnings,
      };
    } catch (error) {
      return failed(error);
    }
  }

  /**
   * Queues what `prepare` last showed for the same server and options (prepared afresh otherwise). The token is
   * spent once anything was queued; a refusal before that (preflight, upload, the first POST) leaves it open.
   */
  async submit(token: string, serverId: string, options: DropOptions & { readonly uploadInputs: boolean }): Promise<WorkflowSubmitResult> {
    const entry = this.opened.get(token);
    if (!entry) return { ok: false, code: 'DROP_UNKNOWN_TOKEN', message: 'This file is no longer open; drop it again', problems: [], promptIds: [] };
    try {
      const key = keyOf(serverId, options);
      const submission = entry.prepared?.key === key ? entry.prepared.submission : await this.prepareFor(entry, serverId, options);
      const outcome = await submitPrepared(this.host, submission, { uploadInputs: options.uploadInputs });
      const promptIds = outcome.queued.map((queued) => queued.promptId);
      // Once anything reached the queue the file is let go, so a second click cannot queue the first repeats twice;
      // when nothing did (the server refused the first), it stays open for another try.
      if (promptIds.length > 0) this.opened.delete(token);
      if (outcome.ok) return { ok: true, promptIds };
      const failure = outcome.failed;
      const notSent = outcome.notSent.length;
      const tail = promptIds.length === 0 ? 'nothing was queued' : `${promptIds.length} of ${submission.prompts.length} queued, ${notSent + 1} not`;
      return {
        ok: false,
        code: failure?.code ?? 'SUBMIT_FAILED',
        message: `${failure?.message ?? 'The server refused the prompt'} (${tail})`,
        problems: (failure?.problems ?? []).map(problemView),
        promptIds,
      };
    } catch (error) {
      return { ...failed(error), promptIds: [] };
    }
  }

  discard(token: string): void {
    this.opened.delete(token);
  }

  /** Open files, for tests and diagnostics. */
  get size(): number {
    return this.opened.size;
  }

  private async read(file: DroppedFile): Promise<ExtractResult> {
    if (file.bytes.length > this.limits.maxFileBytes) {
      return { kind: 'error', format: 'unknown', code: 'WORKFLOW_TOO_LARGE', message: `${file.name} is ${mib(file.bytes.length)}; files above ${mib(this.limits.maxFileBytes)} are not read` };
    }
    return this.readFile(file.bytes, file.name);
  }

  private keep(file: DroppedFile, result: Extract<ExtractResult, { kind: 'comfy' }>, attachments: ReadonlyMap<string, Uint8Array>): OpenedWorkflow {
    const token = randomUUID();
    this.opened.set(token, { file, extracted: result, attachments });
    while (this.opened.size > this.limits.maxOpen) {
      const oldest = this.opened.keys().next().value;
      if (oldest === undefined) break;
      this.opened.delete(oldest);
    }
    const nodes = result.prompt !== undefined ? Object.keys(result.prompt).length : countNodes(result.workflow);
    const name = workflowOwnName(result.workflow);
    return {
      ok: true,
      token,
      name: file.name,
      format: result.format,
      kind: result.prompt !== undefined ? 'api-prompt' : 'ui-workflow',
      ...(name !== undefined && { workflowName: name }),
      nodeCount: nodes,
      attachments: [...attachments.keys()],
    };
  }

  private async prepareFor(entry: OpenedFile, serverId: string, options: DropOptions): Promise<PreparedSubmission> {
    const submission = await prepareSubmission(this.host, { bytes: entry.file.bytes, name: entry.file.name, extracted: entry.extracted }, serverId, {
      randomizeSeeds: options.randomizeSeeds,
      repeat: options.repeat,
      front: options.front,
      attachments: entry.attachments,
    });
    entry.prepared = { key: keyOf(serverId, options), submission };
    return submission;
  }
}

function offThreadReader(): ReadWorkflowFile {
  const reader = new WorkflowReader();
  return (bytes, name) => reader.read(bytes, name);
}

function keyOf(serverId: string, options: DropOptions): string {
  return JSON.stringify([serverId, options.randomizeSeeds, options.repeat, options.front]);
}

function notAWorkflow(name: string, result: Exclude<ExtractResult, { kind: 'comfy' }>): OpenedWorkflow {
  if (result.kind === 'not-comfy') {
    const why = result.reason === 'a1111-parameters' ? 'holds Automatic1111 generation parameters, not a ComfyUI workflow' : 'is a bundle of templates, not one workflow';
    return { ok: false, name, code: 'SUBMIT_NOT_A_WORKFLOW', message: `${name} ${why}` };
  }
  return { ok: false, name, code: result.code, message: result.message.includes(name) ? result.message : `${name}: ${result.message}` };
}

function failed(error: unknown): { ok: false; code: string; message: string; problems: NodeProblemView[] } {
  if (error instanceof SubmitError) return { ok: false, code: error.code, message: error.message, problems: error.problems.map(problemView) };
  return { ok: false, code: errorCode(error) ?? 'SUBMIT_FAILED', message: errorMessage(error), problems: [] };
}

function problemView(problem: NodeProblem): NodeProblemView {
  return {
    ...(problem.nodeId !== '' && { nodeId: problem.nodeId, nodeTitle: problem.title }),
    ...(problem.classType !== undefined && { nodeType: problem.classType }),
    ...(problem.input !== undefined && { inputName: problem.input }),
    message: problem.message,
  };
}

function countNodes(workflow: Record<string, unknown> | undefined): number {
  const nodes = workflow?.nodes;
  return Array.isArray(nodes) ? nodes.length : 0;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}
