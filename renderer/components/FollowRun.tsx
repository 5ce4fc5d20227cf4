// Following a ComfyControl run by its id: ComfyControl cannot list a user's runs, so the user pastes the id the run
// has there. The main process checks it (an id the service does not know is refused and nothing is added).
import { useState } from 'preact/hooks';
import { useServices } from '../services.js';

export function FollowRun({ serverId, name }: { readonly serverId: string; readonly name: string }) {
  const { api, feedback } = useServices();
  const [runId, setRunId] = useState('');
  const field = `follow-run-${serverId}`;
  const follow = (event: Event): void => {
    event.preventDefault();
    const id = runId.trim();
    if (id === '') return;
    void feedback.runAction(
      `Looking for run ${id} on ${name}…`,
      async () => {
        const answer = await api.followJob(serverId, id);
        if (answer.ok) setRunId('');
        return answer;
      },
      () => `${name}: following run ${id}`,
    );
  };
  return (
    <form class="follow-run" onSubmit={follow}>
      <label for={field}>Follow a run</label>
      <input
        id={field}
        class="follow-run__id"
        autocomplete="off"
        spellcheck={false}
        placeholder="Run id from ComfyControl"
        value={runId}
        onInput={(e) => setRunId((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="button button--small" disabled={runId.trim() === ''}>
        Follow
      </button>
    </form>
  );
}
