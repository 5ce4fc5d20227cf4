// The queue window: servers, filters, then running, pending and history, or an empty state that says what to do.
import { serverLabel } from '../format.js';
import { useServices } from '../services.js';
import { DropLayer } from './DropLayer.js';
import { DropOpenButton } from './DropOpenButton.js';
import { EmptyState, emptyKind } from './EmptyState.js';
import { FeedbackArea } from './FeedbackArea.js';
import { FilterBar } from './FilterBar.js';
import { HistoryList } from './HistoryList.js';
import { OutputViewer } from './OutputViewer.js';
import { PendingList } from './PendingList.js';
import { RunningJob } from './RunningJob.js';
import { ServerBar } from './ServerBar.js';
import { SettingsView } from './SettingsView.js';
import { useDocumentTheme } from './use-document-theme.js';
import { useThumbnailCache } from './use-thumbnail-cache.js';

export function App() {
  useDocumentTheme();
  // The drop layer sits beside the views, so files can be dropped (and opened from the shell) on any of them.
  return (
    <>
      <QueueWindow />
      <OutputViewer />
      <DropLayer />
    </>
  );
}

function QueueWindow() {
  const { model, view } = useServices();
  // Before any early return: hooks run on every render, and the cache must survive a visit to the settings.
  const thumbnails = useThumbnailCache();
  if (view.current.value === 'settings') return <SettingsView onClose={() => (view.current.value = 'queue')} />;
  if (!model.loaded.value) {
    return (
      <main class="app">
        <p class="loading">Loading…</p>
      </main>
    );
  }
  const servers = model.servers.value;
  const lists = model.lists.value;
  // Rows name the server, and the service (Comfy Cloud, ComfyControl) when it is one.
  const names = new Map(servers.map((s) => [s.id, serverLabel(s)]));
  const serverName = (id: string): string => names.get(id) ?? id;
  const shown = lists.running.length + lists.pending.length + lists.history.length;
  const empty = emptyKind(servers, lists.total, shown);
  const clearFilters = (): void => {
    model.serverFilter.value = 'all';
    model.statusFilter.value = 'all';
    model.search.value = '';
  };
  return (
    <main class={`app${model.compact.value ? ' app--compact' : ''}`}>
      <header class="app__header">
        <div class="app__bar">
          <h1>Comfy Tray</h1>
          <DropOpenButton />
          <button type="button" class="button app__settings" onClick={() => (view.current.value = 'settings')}>
            Settings
          </button>
        </div>
        {servers.length > 0 && <ServerBar />}
        {servers.length > 0 && lists.total > 0 && <FilterBar />}
      </header>
      <FeedbackArea />
      {empty ? (
        <EmptyState kind={empty} onClearFilters={clearFilters} />
      ) : (
        <div class="app__body">
          {lists.running.length > 0 && (
            <section aria-labelledby="running-title">
              <h2 id="running-title">Running</h2>
              {lists.running.map((entry) => (
                <RunningJob key={entry.key} entry={entry} serverName={serverName(entry.job.peek().serverId)} />
              ))}
            </section>
          )}
          {lists.pending.length > 0 && (
            <section aria-labelledby="pending-title">
              <h2 id="pending-title">Pending ({lists.pending.length})</h2>
              <PendingList entries={lists.pending} serverName={serverName} />
            </section>
          )}
          {lists.history.length > 0 && (
            <section class="app__history" aria-labelledby="history-title">
              <h2 id="history-title">History ({lists.history.length})</h2>
              <HistoryList entries={lists.history} serverName={serverName} thumbnails={thumbnails} />
            </section>
          )}
        </div>
      )}
    </main>
  );
}
