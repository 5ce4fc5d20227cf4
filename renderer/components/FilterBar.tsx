// Filter by server and status, search by workflow name or job id. Plain form controls: keyboard and screen
// readers work without extra code.
import type { JobStatus } from '../../electron/shared/app-state.js';
import type { StatusFilter } from '../models/queue-model.js';
import { useServices } from '../services.js';

const STATUSES: readonly JobStatus[] = ['running', 'pending', 'completed', 'failed', 'cancelled', 'lost'];

export function FilterBar() {
  const { model } = useServices();
  return (
    <div class="filters" role="search">
      <label class="field">
        <span>Server</span>
        <select value={model.serverFilter.value} onChange={(e) => (model.serverFilter.value = e.currentTarget.value)}>
          <option value="all">All servers</option>
          {model.servers.value.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>Status</span>
        <select value={model.statusFilter.value} onChange={(e) => (model.statusFilter.value = e.currentTarget.value as StatusFilter)}>
          <option value="all">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </label>
      <div class="field field--toggle">
        <span aria-hidden="true">Rows</span>
        <label class="check">
          <input type="checkbox" checked={model.compact.value} onChange={(e) => (model.compact.value = e.currentTarget.checked)} /> Compact
        </label>
      </div>
      <label class="field field--grow">
        <span>Search</span>
        <input
          type="search"
          placeholder="Workflow name or job id"
          value={model.search.value}
          onInput={(e) => (model.search.value = e.currentTarget.value)}
        />
      </label>
    </div>
  );
}
