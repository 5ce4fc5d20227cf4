// What the main process found preparing the file for the chosen server: problems per node (how many block the
// submit), input files that came with the drop and can be uploaded, and warnings. Only the latest answer is shown.
import { useServices } from '../services.js';
import { SubmitProblems } from './SubmitProblems.js';

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export function SubmitPreflight() {
  const { drop, model } = useServices();
  const state = drop.prepared.value;
  if (state.status === 'idle') return null;
  const server = model.servers.value.find((s) => s.id === state.serverId)?.name ?? state.serverId;
  if (state.status === 'preparing') {
    return (
      <section class="preflight" aria-labelledby="preflight-title" aria-busy="true">
        <h3 id="preflight-title">Check for {server}</h3>
        <p role="status">Checking…</p>
      </section>
    );
  }
  const result = state.result;
  if (!result.ok) {
    return (
      <section class="preflight preflight--error" aria-labelledby="preflight-title">
        <h3 id="preflight-title">Check for {server}</h3>
        <p role="status">
          Could not prepare it ({result.code}): {result.message}
        </p>
        <SubmitProblems problems={result.problems} label="Problems" />
      </section>
    );
  }
  const clean = result.problems.length === 0 && result.warnings.length === 0 && result.uploadable.length === 0;
  const origin = result.origin === 'converted' ? 'converted from the editor workflow' : 'the API prompt as saved';
  return (
    <section class={`preflight${result.blocking > 0 ? ' preflight--error' : ''}`} aria-labelledby="preflight-title">
      <h3 id="preflight-title">Check for {server}</h3>
      <p role="status">
        {plural(result.nodeCount, 'node', 'nodes')}, {origin}, {plural(result.prompts, 'prompt', 'prompts')} to queue.{' '}
        {clean
          ? 'No problems found.'
          : result.problems.length > 0 && `${plural(result.problems.length, 'problem', 'problems')}, ${result.blocking} blocking.`}
      </p>
      <SubmitProblems problems={result.problems} label="Problems" />
      {result.uploadable.length > 0 && (
        <div class="preflight__upload">
          <label class="check">
            <input type="checkbox" checked={drop.uploadInputs.value} onChange={(e) => (drop.uploadInputs.value = (e.currentTarget as HTMLInputElement).checked)} /> Upload{' '}
            {plural(result.uploadable.length, 'missing input file', 'missing input files')}
          </label>
          <ul class="preflight__files">
            {result.uploadable.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
        </div>
      )}
      {result.warnings.length > 0 && (
        <ul class="preflight__warnings" aria-label="Warnings">
          {result.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
