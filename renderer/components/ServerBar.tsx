// The servers strip: every server with its state and counts, computed from the unfiltered job lists.
import { useComputed } from '@preact/signals';
import { useServices } from '../services.js';
import { ServerCard, type ServerCounts } from './ServerCard.js';

export function ServerBar() {
  const { model } = useServices();
  const counts = useComputed(() => {
    const byServer = new Map<string, { running: number; pending: number; failed: number }>();
    for (const server of model.servers.value) byServer.set(server.id, { running: 0, pending: 0, failed: 0 });
    const all = model.allLists.value;
    for (const [list, field] of [
      [all.running, 'running'],
      [all.pending, 'pending'],
      [all.history, 'failed'],
    ] as const) {
      for (const entry of list) {
        const job = entry.job.peek();
        if (field === 'failed' && job.status !== 'failed') continue;
        const c = byServer.get(job.serverId);
        if (c) c[field]++;
      }
    }
    return byServer;
  });
  const none: ServerCounts = { running: 0, pending: 0, failed: 0 };
  return (
    <ul class="servers" aria-label="Servers">
      {model.servers.value.map((server) => (
        <ServerCard key={server.id} server={server} counts={counts.value.get(server.id) ?? none} />
      ))}
    </ul>
  );
}
