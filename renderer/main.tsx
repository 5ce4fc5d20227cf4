// A first, plain view of the state: servers and jobs. The full queue window comes with its own issue.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AppSnapshot } from '../electron/shared/ipc-contract.js';
import { trayApi } from './bridge.js';
import { applyPatches } from './models/apply-patches.js';

function App() {
  const [snapshot, setSnapshot] = useState<AppSnapshot | undefined>();
  useEffect(() => {
    const api = trayApi();
    // Subscribe first, then ask: patches that arrive before the snapshot are dropped by their version.
    const offSnapshot = api.onSnapshot((next) => setSnapshot(next));
    const offPatches = api.onPatches((batch) => setSnapshot((current) => (current ? applyPatches(current, batch) : current)));
    void api.getSnapshot().then((first) => setSnapshot((current) => (current && current.version >= first.version ? current : first)));
    return () => {
      offSnapshot();
      offPatches();
    };
  }, []);
  if (!snapshot) return <p>Loading…</p>;
  return (
    <main>
      <h1>Comfy Tray</h1>
      <ul aria-label="Servers">
        {snapshot.servers.map((server) => (
          <li key={server.id}>
            {server.name}: {server.state}
            {server.version ? ` (ComfyUI ${server.version})` : ''}
          </li>
        ))}
      </ul>
      <ul aria-label="Jobs">
        {[...snapshot.jobs].reverse().map((job) => (
          <li key={`${job.serverId}/${job.id}`}>
            {job.workflowName ?? job.id.slice(0, 8)}: {job.status}
            {job.progress?.overall !== undefined && job.status === 'running' ? ` ${Math.round(job.progress.overall * 100)}%` : ''}
          </li>
        ))}
      </ul>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
