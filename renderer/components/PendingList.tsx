// Pending jobs in the order they will run (the server's queue, then what the app holds off a paused queue), with a
// tick box per row and, once some are ticked, one bar to move or remove them together.
import { useServices } from '../services.js';
import { foldBatches } from '../models/batches.js';
import type { JobEntry } from '../models/queue-model.js';
import { removable, steeringRefusal } from '../models/server-abilities.js';
import { BatchRow } from './BatchRow.js';
import { PendingRow } from './PendingRow.js';
import { SelectionBar } from './SelectionBar.js';

export function PendingList({ entries, serverName }: { readonly entries: readonly JobEntry[]; readonly serverName: (id: string) => string }) {
  const { model } = useServices();
  // Only jobs that can be moved or removed are ticked (not ComfyUI-less ComfyControl runs).
  const servers = model.servers.value;
  const keys = entries.filter((entry) => steeringRefusal(servers, entry.job.peek().serverId) === undefined || removable(servers, entry.job.peek().serverId)).map((entry) => entry.key);
  const order = (): readonly string[] => keys;
  const selected = model.selection.within(keys);
  const all = selected.length === keys.length && keys.length > 0;
  return (
    <>
      <div class="pending-tools">
        <label class="check pending-tools__all">
          <input
            type="checkbox"
            checked={all}
            ref={(input) => {
              if (input) input.indeterminate = selected.length > 0 && !all;
            }}
            onChange={() => (all ? model.selection.clear() : model.selection.setAll(keys))}
          />{' '}
          Select all
        </label>
        {selected.length > 0 && <SelectionBar entries={entries} selected={selected} />}
      </div>
      <ol class="rows" aria-label="Pending jobs">
        {foldBatches(entries, model.batches.value, (id) => model.openBatches.value.has(`pending:${id}`)).map((row) =>
          row.kind === 'batch' ? (
            <BatchRow key={row.key} as="li" list="pending" batch={row.batch} entries={row.entries} open={row.open} pending={{ order }} />
          ) : (
            <PendingRow key={row.key} entry={row.entry} serverName={serverName(row.entry.job.peek().serverId)} order={order} member={row.member === true} />
          ),
        )}
      </ol>
    </>
  );
}
