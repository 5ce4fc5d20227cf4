// The submit dialog for one opened file: what it is, where it goes, with which options, what the server's preflight
// found, and Submit (disabled, with the reason in words, until it can work). A modal dialog: focus moves in, Tab
// stays inside, Escape cancels, and focus returns to where it was when the dialog closes.
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { OpenedFile } from '../models/drop-model.js';
import { useServices } from '../services.js';
import { DropFailures } from './DropFailures.js';
import { SubmitFailure } from './SubmitFailure.js';
import { SubmitOptions } from './SubmitOptions.js';
import { SubmitPreflight } from './SubmitPreflight.js';
import { SubmitSummary } from './SubmitSummary.js';

const FOCUSABLE = 'button:not([disabled]), select:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

function useDialogFocus(dialog: RefObject<HTMLElement | null>, onEscape: () => void): void {
  // The latest handler without re-running the effect (which would move focus again).
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const items = (): HTMLElement[] => Array.from(element.querySelectorAll<HTMLElement>(FOCUSABLE));
    (items()[0] ?? element).focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') {
        event.preventDefault();
        escape.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const list = items();
      const first = list[0];
      const last = list[list.length - 1];
      const active = document.activeElement;
      if (!first || !last) {
        event.preventDefault();
      } else if (event.shiftKey && (active === first || !element.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !element.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before?.isConnected) before.focus();
    };
  }, [dialog]);
}

export function SubmitDialog({ file, waiting }: { readonly file: OpenedFile; readonly waiting: number }) {
  const { drop } = useServices();
  const ref = useRef<HTMLDivElement>(null);
  useDialogFocus(ref, () => drop.cancel());
  const reason = drop.blockedReason.value;
  const submit = drop.submitState.value;
  const repeat = drop.repeatError.value === undefined ? Number(drop.form.value.repeat.trim()) : 1;
  return (
    <div class="drop-backdrop">
      <div ref={ref} class="submit-dialog" role="dialog" aria-modal="true" aria-labelledby="submit-title" tabIndex={-1}>
        <h2 id="submit-title" class="submit-dialog__title">
          Queue {file.name}
        </h2>
        <SubmitSummary file={file} waiting={waiting} />
        <DropFailures />
        <SubmitOptions />
        <SubmitPreflight />
        {submit.status === 'failed' && <SubmitFailure result={submit.result} repeat={repeat} />}
        <footer class="submit-dialog__footer">
          {reason !== undefined && (
            <p id="submit-reason" class="submit-dialog__reason">
              {reason}
            </p>
          )}
          <div class="submit-dialog__buttons">
            <button type="button" class="button" disabled={submit.status === 'submitting'} onClick={() => drop.cancel()}>
              {submit.status === 'failed' ? 'Close' : 'Cancel'}
            </button>
            <button
              type="button"
              class="button button--primary"
              disabled={reason !== undefined}
              aria-describedby={reason !== undefined ? 'submit-reason' : undefined}
              onClick={() => void drop.submit()}
            >
              {submit.status === 'submitting' ? 'Submitting…' : repeat > 1 ? `Submit ×${repeat}` : 'Submit'}
            </button>
          </div>
        </footer>
      </div>
    </div>
  );
}
