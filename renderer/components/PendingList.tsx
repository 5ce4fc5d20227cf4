// Pending jobs in the order they will run.
import type { JobEntry } from '../models/queue-model.js';
import { PendingRow } from './PendingRow.js';

export function PendingList({ entries, serverName }: { readonly entries: readonly JobEntry[]; readonly serverName: (id: string) => string }) {
  return (
    <ol class="rows" aria-label="Pending jobs">
      {entries.map((entry) => (
        <PendingRow key={entry.key} entry={entry} serverName={serverName(entry.job.peek().serverId)} />
      ))}
    </ol>
  );
}
