// The submit dialog for one opened file: what it is, where it goes, with which options, what the server's preflight
// found, and Submit (disabled, with the reason in words, until it can work). A modal dialog: focus moves in, Tab
// stays inside, Escape cancels, and focus returns to where it was when the dialog closes.
import { useRef } from 'preact/hooks';
import type { OpenedFile } from '../models/drop-model.js';
import { useServices } from '../services.js';
import { DropFailures } from './DropFailures.js';
import { SubmitFailure } from './SubmitFailure.js';
import { SubmitOptions } from './SubmitOptions.js';
import { SubmitPreflight } from './SubmitPreflight.js';
import { SubmitSummary } from './SubmitSummary.js';
import { useDialogFocus } from './use-dialog-focus.js';

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
