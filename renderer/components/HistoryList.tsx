// The history as a windowed list (fixed row height), newest first.
import type { JobEntry } from '../models/queue-model.js';
import { HistoryRow } from './HistoryRow.js';
import { VirtualList } from './VirtualList.js';

/** Pixels; CSS gives rows the same height (see .vlist__row). Zoom scales both alike. */
export const HISTORY_ROW_HEIGHT = 76;

export function HistoryList({ entries, serverName }: { readonly entries: readonly JobEntry[]; readonly serverName: (id: string) => string }) {
  return (
    <VirtualList
      items={entries}
      rowHeight={HISTORY_ROW_HEIGHT}
      label="History"
      getKey={(entry) => entry.key}
      renderRow={(entry) => <HistoryRow entry={entry} serverName={serverName(entry.job.peek().serverId)} />}
    />
  );
}
