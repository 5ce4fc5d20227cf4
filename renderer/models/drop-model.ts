// Workflows on their way from a drop (or the file picker, or the shell) to a server: the files waiting their turn,
// the one shown in the submit dialog with its target server and options, the preflight the main process answered
// for exactly those, and the outcome of submitting. Signals only, so it is tested without a DOM.
import { batch, computed, effect, signal, untracked, type ReadonlySignal } from '@preact/signals';
import type { ServerView } from '../../electron/shared/app-state.js';
import type { DropOptions, OpenedWorkflow, PrepareResult, TrayApi, WorkflowSubmitResult } from '../../electron/shared/ipc-contract.js';
import { readDropped, type ReadableFile, type RefusedFile } from './drop-files.js';
import { errorText, type FeedbackModel } from './feedback-model.js';

export type OpenedFile = Extract<OpenedWorkflow, { ok: true }>;
export type FailedSubmit = Extract<WorkflowSubmitResult, { ok: false }>;
export interface OpenFailure extends RefusedFile {
  readonly id: number;
}

/** The options as typed: `repeat` stays text so a half-typed value can be shown with its problem. */
export interface OptionsForm {
  readonly randomizeSeeds: boolean;
  readonly repeat: string;
  readonly front: boolean;
}

export type PrepareState =
  | { readonly status: 'idle' }
  | { readonly status: 'preparing'; readonly serverId: string }
  | { readonly status: 'done'; readonly serverId: string; readonly result: PrepareResult };

export type SubmitState =
  | { readonly status: 'idle' }
  | { readonly status: 'submitting' }
  /** `retryable`: nothing reached the queue, so the main process kept the file and Submit may be pressed again. */
  | { readonly status: 'failed'; readonly result: FailedSubmit; readonly retryable: boolean };

export type DropApi = Pick<TrayApi, 'openWorkflows' | 'prepareWorkflow' | 'submitWorkflow' | 'discardWorkflow'>;

export interface DropModelOptions {
  /** Quiet time after a change before asking for a preflight (typing "100" asks once); 0 asks at once. */
  readonly debounceMs?: number;
  /** How long the "Queued …" message stays. */
  readonly okLifetimeMs?: number;
}

export const MAX_REPEAT = 1000;
const DEFAULT_FORM: OptionsForm = { randomizeSeeds: false, repeat: '1', front: false };

export function repeatProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,4}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > MAX_REPEAT) return `Repeat: enter a whole number from 1 to ${MAX_REPEAT}`;
  return undefined;
}

export class DropModel {
  /** Files waiting for the dialog; the first is shown. */
  readonly queue = signal<readonly OpenedFile[]>([]);
  readonly current = computed<OpenedFile | undefined>(() => this.queue.value[0]);
  readonly failures = signal<readonly OpenFailure[]>([]);
  /** Files being read or opened by the main process. */
  readonly opening = signal(0);
  readonly form = signal<OptionsForm>(DEFAULT_FORM);
  readonly uploadInputs = signal(true);
  readonly prepared = signal<PrepareState>({ status: 'idle' });
  readonly submitState = signal<SubmitState>({ status: 'idle' });
  /** The server the user picked: kept for the whole session, so the next file goes to the same place. */
  readonly chosenServer = signal<string | undefined>(undefined);

  readonly connected = computed(() => this.servers.value.filter((s) => s.state === 'connected'));
  /** The only connected server, or the user's choice among several (only while it is connected). */
  readonly target = computed<ServerView | undefined>(() => {
    const connected = this.connected.value;
    return connected.length === 1 ? connected[0] : connected.find((s) => s.id === this.chosenServer.value);
  });
  readonly repeatError = computed(() => repeatProblem(this.form.value.repeat));
  /** Why Submit is disabled, in words; undefined when it can be pressed. */
  readonly blockedReason = computed(() => this.whyBlocked());

  private readonly depth = signal(0);
  readonly dragging: ReadonlySignal<boolean> = computed(() => this.depth.value > 0);

  private readonly debounceMs: number;
  private readonly okLifetimeMs: number;
  private nextFailure = 1;
  /** Bumped by every new request: an answer carrying an older number is stale and dropped. */
  private prepareSeq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stopEffect: () => void;

  /** What the preflight depends on, as one comparable key; undefined when there is nothing to ask. */
  private readonly request = computed(() => {
    const current = this.current.value;
    const target = this.target.value;
    if (!current || !target || this.repeatError.value !== undefined || this.spent()) return undefined;
    const form = this.form.value;
    return JSON.stringify([current.token, target.id, form.randomizeSeeds, form.repeat.trim(), form.front]);
  });

  constructor(
    private readonly api: DropApi,
    private readonly servers: ReadonlySignal<readonly ServerView[]>,
    private readonly feedback: FeedbackModel,
    options: DropModelOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 250;
    this.okLifetimeMs = options.okLifetimeMs ?? 4000;
    this.stopEffect = effect(() => {
      const key = this.request.value;
      untracked(() => this.schedulePrepare(key));
    });
  }

  dispose(): void {
    this.stopEffect();
    clearTimeout(this.timer);
  }

  // Drag highlight: entering a child fires dragenter before the parent's dragleave, so a depth count (not a flag)
  // keeps the overlay steady while the pointer crosses the window's elements.
  dragEnter(): void {
    this.depth.value++;
  }
  dragLeave(): void {
    this.depth.value = Math.max(0, this.depth.peek() - 1);
  }
  dragEnd(): void {
    this.depth.value = 0;
  }

  /** Reads the given files and hands all of them to the main process in one call (non-workflows ride along). */
  async openFiles(files: readonly ReadableFile[]): Promise<void> {
    this.dragEnd();
    if (files.length === 0) return;
    this.opening.value++;
    try {
      const { files: read, refused } = await readDropped(files);
      this.addFailures(refused);
      if (read.length === 0) return;
      try {
        this.receive(await this.api.openWorkflows(read));
      } catch (error) {
        const names = read.map((f) => f.name).join(', ');
        this.addFailures([{ name: names, code: 'IPC_FAILED', message: `Could not open ${names}: ${errorText(error)}` }]);
      }
    } finally {
      this.opening.value--;
    }
  }

  /** Files opened by the main process (from this window, or from the tray, Open With, the command line). */
  receive(workflows: readonly OpenedWorkflow[]): void {
    const opened = workflows.filter((w): w is OpenedFile => w.ok);
    batch(() => {
      this.addFailures(workflows.filter((w): w is Extract<OpenedWorkflow, { ok: false }> => !w.ok).map(({ name, code, message }) => ({ name, code, message })));
      if (opened.length > 0) this.queue.value = [...this.queue.peek(), ...opened];
    });
  }

  dismissFailure(id: number): void {
    this.failures.value = this.failures.peek().filter((f) => f.id !== id);
  }

  chooseServer(serverId: string): void {
    this.chosenServer.value = serverId === '' ? undefined : serverId;
  }

  setOptions(change: Partial<OptionsForm>): void {
    this.form.value = { ...this.form.peek(), ...change };
  }

  /** Closes the dialog without queueing: the main process lets go of the file. */
  cancel(): void {
    const current = this.current.peek();
    if (!current || this.submitState.peek().status === 'submitting') return;
    // Nothing to wait for: the file is gone from the window either way.
    this.api.discardWorkflow(current.token).catch(() => undefined);
    this.advance();
  }

  async submit(): Promise<void> {
    const current = this.current.peek();
    const target = this.target.peek();
    if (!current || !target || this.blockedReason.peek() !== undefined) return;
    const options = { ...this.dropOptions(), uploadInputs: this.uploadInputs.peek() && this.uploadable().length > 0 };
    this.submitState.value = { status: 'submitting' };
    let result: WorkflowSubmitResult;
    try {
      result = await this.api.submitWorkflow(current.token, target.id, options);
    } catch (error) {
      result = { ok: false, code: 'IPC_FAILED', message: errorText(error), problems: [], promptIds: [] };
    }
    if (result.ok) {
      const times = options.repeat > 1 ? ` ×${options.repeat}` : '';
      const id = this.feedback.push('ok', `Queued ${current.name} on ${target.name}${times}`);
      setTimeout(() => this.feedback.dismiss(id), this.okLifetimeMs);
      this.advance();
    } else {
      // Once some repeats were queued the main process lets go of the file (a second click must not queue them
      // twice) and the dialog stays only to explain; when nothing was queued the user may fix things and retry.
      this.submitState.value = { status: 'failed', result, retryable: result.promptIds.length === 0 && result.code !== 'DROP_UNKNOWN_TOKEN' };
    }
  }

  /** Input files the last preflight offered to upload. */
  uploadable(): readonly string[] {
    const state = this.prepared.peek();
    return state.status === 'done' && state.result.ok ? state.result.uploadable : [];
  }

  private dropOptions(): DropOptions {
    const form = this.form.peek();
    // Comfy Cloud schedules each user's jobs fairly and ignores "front": it is never asked for there.
    const front = form.front && this.target.peek()?.kind !== 'comfy-cloud';
    return { randomizeSeeds: form.randomizeSeeds, repeat: Number(form.repeat.trim()), front };
  }

  private addFailures(refused: readonly RefusedFile[]): void {
    if (refused.length === 0) return;
    this.failures.value = [...this.failures.peek(), ...refused.map((f) => ({ ...f, id: this.nextFailure++ }))];
  }

  /** The next file gets a fresh dialog: default options, nothing prepared (the chosen server stays). */
  private advance(): void {
    batch(() => {
      this.queue.value = this.queue.peek().slice(1);
      this.form.value = DEFAULT_FORM;
      this.uploadInputs.value = true;
      this.submitState.value = { status: 'idle' };
    });
  }

  private schedulePrepare(key: string | undefined): void {
    clearTimeout(this.timer);
    const seq = ++this.prepareSeq;
    const current = this.current.peek();
    const target = this.target.peek();
    if (key === undefined || !current || !target) {
      this.prepared.value = { status: 'idle' };
      return;
    }
    this.prepared.value = { status: 'preparing', serverId: target.id };
    const options = this.dropOptions();
    const run = async (): Promise<void> => {
      let result: PrepareResult;
      try {
        result = await this.api.prepareWorkflow(current.token, target.id, options);
      } catch (error) {
        result = { ok: false, code: 'IPC_FAILED', message: errorText(error), problems: [] };
      }
      if (seq !== this.prepareSeq) return;
      this.prepared.value = { status: 'done', serverId: target.id, result };
    };
    if (this.debounceMs <= 0) void run();
    else this.timer = setTimeout(() => void run(), this.debounceMs);
  }

  /** A failed submit after which the main process no longer holds the file. */
  private spent(): boolean {
    const submit = this.submitState.value;
    return submit.status === 'failed' && !submit.retryable;
  }

  private whyBlocked(): string | undefined {
    if (!this.current.value) return undefined;
    const submit = this.submitState.value;
    if (submit.status === 'submitting') return 'Submitting…';
    if (this.spent()) return 'Part of it was queued, so the file was closed: drop it again to queue the rest.';
    if (this.connected.value.length === 0) return 'No server is connected. The file stays here until one connects.';
    if (!this.target.value) return 'Choose the server to queue it on.';
    const repeat = this.repeatError.value;
    if (repeat !== undefined) return repeat;
    const prepared = this.prepared.value;
    if (prepared.status !== 'done') return 'Checking the workflow for this server…';
    if (!prepared.result.ok) return `It cannot be queued: ${prepared.result.message}`;
    const blocking = prepared.result.blocking;
    if (blocking > 0) return `${blocking} ${blocking === 1 ? 'problem' : 'problems'} would make the server refuse it: fix ${blocking === 1 ? 'it' : 'them'} in ComfyUI first.`;
    return undefined;
  }
}

export function connectDrop(drop: DropModel, api: Pick<TrayApi, 'onWorkflowsOpened'>): () => void {
  return api.onWorkflowsOpened((workflows) => drop.receive(workflows));
}
