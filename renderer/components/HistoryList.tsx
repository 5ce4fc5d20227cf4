// The history as a windowed list (fixed row height, taller in normal than in compact mode; a failure opened in full
// adds its panel), newest first, batches folded into one row each.
import type { JobEntry } from '../models/queue-model.js';
import type { ThumbnailCache } from '../models/thumbnail-cache.js';
import { useMemo } from 'preact/hooks';
import { foldBatches, type ListRow } from '../models/batches.js';
import { useServices } from '../services.js';
import { BatchRow } from './BatchRow.js';
import { FAILURE_DETAILS_HEIGHT } from './FailureDetails.js';
import { HistoryRow } from './HistoryRow.js';
import { VirtualList } from './VirtualList.js';

/** Pixels; CSS gives rows the same height (see .vlist__row). Zoom scales both alike. */
export const HISTORY_ROW_HEIGHT = 76;
export const COMPACT_ROW_HEIGHT = 48;

export interface HistoryListProps {
  readonly entries: readonly JobEntry[];
  readonly serverName: (id: string) => string;
  /** Shared by every row and kept by the App, so thumbnails outlive rows scrolled out of view. */
  readonly thumbnails: ThumbnailCache;
}

export function HistoryList({ entries, serverName, thumbnails }: HistoryListProps) {
  const { model } = useServices();
  const expanded = model.expanded.value;
  const rowHeight = model.compact.value ? COMPACT_ROW_HEIGHT : HISTORY_ROW_HEIGHT;
  const batches = model.batches.value;
  const open = model.openBatches.value;
  const rows = useMemo(() => foldBatches(entries, batches, (id) => open.has(`history:${id}`)), [entries, batches, open]);
  return (
    <VirtualList
      items={rows}
      rowHeight={rowHeight}
      label="History"
      getKey={(row) => row.key}
      // Only a failure opened in full makes a row taller; without any, the list keeps its plain arithmetic.
      {...(expanded.size > 0 && {
        extraHeight: (row: ListRow<JobEntry>) => (row.kind === 'job' && expanded.has(row.key) && row.entry.job.peek().status === 'failed' ? FAILURE_DETAILS_HEIGHT : 0),
        extraVersion: expanded,
      })}
      renderRow={(row) =>
        row.kind === 'batch' ? (
          <BatchRow list="history" batch={row.batch} entries={row.entries} open={row.open} />
        ) : (
          <HistoryRow entry={row.entry} serverName={serverName(row.entry.job.peek().serverId)} thumbnails={thumbnails} member={row.member === true} />
        )
      }
    />
  );
}
