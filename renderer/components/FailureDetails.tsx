// A failed job's error in full, under its history row: the node (title, type and id), the exception type, the whole
// message, what to do for the common failures, and the traceback in a scrollable monospace box. The panel has a fixed
// height (the windowed history needs it) and scrolls inside; it is focusable so the keyboard scrolls it too.
import type { JobError } from '../../electron/shared/app-state.js';
import { failureHints } from '../models/failure-hints.js';

/** Pixels the panel adds to its row (HistoryList gives the row this much more room). */
export const FAILURE_DETAILS_HEIGHT = 320;

export function FailureDetails({ id, error, title }: { readonly id: string; readonly error: JobError; readonly title: string }) {
  const hints = failureHints(error);
  const node = error.nodeTitle ?? error.nodeType;
  return (
    <section id={id} class="failure" tabIndex={0} aria-label={`Error of ${title}`}>
      <dl class="failure__facts">
        <div>
          <dt>Node</dt>
          <dd>
            {node ?? 'Unknown'}
            {error.nodeType !== undefined && error.nodeTitle !== undefined && error.nodeType !== error.nodeTitle && <span class="muted"> ({error.nodeType})</span>}
            {error.nodeId !== undefined && <span class="muted"> #{error.nodeId}</span>}
          </dd>
        </div>
        <div>
          <dt>Exception</dt>
          <dd>
            <code>{error.exceptionType}</code>
          </dd>
        </div>
      </dl>
      <p class="failure__message">{error.message.trim()}</p>
      {hints.map((hint) => (
        <div key={hint.kind} class={`failure__hint failure__hint--${hint.kind}`} role="note">
          <strong>{hint.title}.</strong> {hint.text}
        </div>
      ))}
      {error.traceback.length > 0 && (
        <pre class="failure__traceback" tabIndex={0} aria-label={`Traceback of ${title}`}>
          {error.traceback.join('\n').replace(/\n{2,}/g, '\n')}
        </pre>
      )}
    </section>
  );
}
