// What every action tells the user: "Cancelling…", then done or the exact error. Messages live in one signal shown
// by a polite live region, so screen readers hear them too.
import { signal } from '@preact/signals';

export interface FeedbackMessage {
  readonly id: number;
  readonly kind: 'busy' | 'ok' | 'error';
  readonly text: string;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'Unknown error';
}

/** What the main process answers to a window action: done, or why not. */
export type ActionAnswer = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** A refused action, carried through `run` so it shows like any other failure: with the main process's message. */
export class ActionRefused extends Error {}

export class FeedbackModel {
  readonly messages = signal<readonly FeedbackMessage[]>([]);
  private nextId = 1;

  constructor(private readonly okLifetimeMs = 4000) {}

  /** Runs `action`, showing `busy` while it runs, then `done(result)` or the error; errors stay until dismissed. */
  async run<T>(busy: string, action: () => Promise<T>, done: (result: T) => string): Promise<void> {
    const id = this.push('busy', busy);
    try {
      const result = await action();
      this.replace(id, 'ok', done(result));
      setTimeout(() => this.dismiss(id), this.okLifetimeMs);
    } catch (error) {
      this.replace(id, 'error', `${busy.replace(/…$/, '')} failed: ${errorText(error)}`);
    }
  }

  /** Like `run`, for actions that answer `{ok:false, message}` rather than throwing: both are shown as errors. */
  runAction<T extends ActionAnswer>(busy: string, action: () => Promise<T>, done: (result: Extract<T, { ok: true }>) => string): Promise<void> {
    return this.run(
      busy,
      async () => {
        const answer = await action();
        if (!answer.ok) throw new ActionRefused(answer.message);
        return answer as Extract<T, { ok: true }>;
      },
      done,
    );
  }

  push(kind: FeedbackMessage['kind'], text: string): number {
    const id = this.nextId++;
    // Only the latest few: a burst of actions must not fill the window.
    this.messages.value = [...this.messages.peek(), { id, kind, text }].slice(-4);
    return id;
  }

  dismiss(id: number): void {
    this.messages.value = this.messages.peek().filter((m) => m.id !== id);
  }

  private replace(id: number, kind: FeedbackMessage['kind'], text: string): void {
    const current = this.messages.peek();
    this.messages.value = current.some((m) => m.id === id) ? current.map((m) => (m.id === id ? { id, kind, text } : m)) : [...current, { id, kind, text }].slice(-4);
  }
}
