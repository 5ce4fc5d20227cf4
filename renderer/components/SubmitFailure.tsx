// Why a submit failed, with the server's per-node problems, and exactly how many repeats reached the queue anyway
// (those run: they show in the queue like any other job).
import type { FailedSubmit } from '../models/drop-model.js';
import { SubmitProblems } from './SubmitProblems.js';

export function SubmitFailure({ result, repeat }: { readonly result: FailedSubmit; readonly repeat: number }) {
  const queued = result.promptIds.length;
  return (
    <section class="submit-failure" role="alert">
      <p>
        <strong>Not queued ({result.code})</strong>: {result.message}
      </p>
      <p>{queued === 0 ? 'Nothing was queued.' : `${queued} of ${repeat} ${repeat === 1 ? 'run was' : 'runs were'} queued before the failure; they are in the queue.`}</p>
      <SubmitProblems problems={result.problems} label="Problems the server reported" />
    </section>
  );
}
