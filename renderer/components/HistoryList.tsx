// The history as a windowed list (fixed row height), newest first.
import type { JobEntry } from '../models/queue-model.js';
import type { ThumbnailCache } from '../models/thumbnail-cache.js';
import { useServices } from '../services.js';
import { FAILURE_DETAILS_HEIGHT } from './FailureDetails.js';
import { HistoryRow } from './HistoryRow.js';
import { VirtualList } from './VirtualList.js';

/** Pixels; CSS gives rows the same height (see .vlist__row). Zoom scales both alike. */
export const HISTORY_ROW_HEIGHT = 76;

export interface HistoryListProps {
  readonly entries: readonly JobEntry[];
  readonly serverName: (id: string) => string;
  /** Shared by every row and kept by the App, so thumbnails outlive rows scrolled out of view. */
  readonly thumbnails: ThumbnailCache;
}

export function HistoryList({ entries, serverName, thumbnails }: HistoryListProps) {
  const { model } = useServices();
  const expanded = model.expanded.value;
  return (
    <VirtualList
      items={entries}
      rowHeight={HISTORY_ROW_HEIGHT}
      label="History"
      getKey={(entry) => entry.key}
      // Only a failure opened in full makes a row taller; without any, the list keeps its plain arithmetic.
      {...(expanded.size > 0 && { extraHeight: (entry: JobEntry) => (expanded.has(entry.key) && entry.job.peek().status === 'failed' ? FAILURE_DETAILS_HEIGHT : 0), extraVersion: expanded })}
      renderRow={(entry) => <HistoryRow entry={entry} serverName={serverName(entry.job.peek().serverId)} thumbnails={thumbnails} />}
    />
  );
}
