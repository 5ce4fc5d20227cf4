// A first, plain view of the state: servers and jobs. The full queue window comes with its own issue.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AppSnapshot } from '../electron/shared/ipc-contract.js';
import { trayApi } from './bridge.js';

function App() {
  const [snapshot, setSnapshot] = useState<AppSnapshot | undefined>();
  useEffect(() => {
    const api = trayApi();
    const off = api.onSnapshot((next) => setSnapshot((current) => (current && current.version > next.version ? current : next)));
    void api.getSnapshot().then((first) => setSnapshot((current) => current ?? first));
    return off;
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
