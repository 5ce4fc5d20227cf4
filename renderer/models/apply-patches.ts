// The renderer's copy of the state: a snapshot brought up to date by versioned patch batches. Batches not newer than
// the copy are dropped (they were already part of the snapshot the window asked for).
import type { AppSnapshot, VersionedPatches } from '../../electron/shared/ipc-contract.js';

export function applyPatches(state: AppSnapshot, batch: VersionedPatches): AppSnapshot {
  if (batch.version <= state.version) return state;
  let servers = state.servers;
  let jobs = state.jobs;
  for (const patch of batch.patches) {
    switch (patch.type) {
      case 'server-updated': {
        const i = servers.findIndex((s) => s.id === patch.server.id);
        servers = i < 0 ? [...servers, patch.server] : servers.map((s, k) => (k === i ? patch.server : s));
        break;
      }
      case 'job-updated': {
        const { job } = patch;
        const i = jobs.findIndex((j) => j.serverId === job.serverId && j.id === job.id);
        jobs = i < 0 ? [...jobs, job] : jobs.map((j, k) => (k === i ? job : j));
        break;
      }
      case 'job-removed':
        jobs = jobs.filter((j) => !(j.serverId === patch.serverId && j.id === patch.jobId));
        break;
    }
  }
  return { version: batch.version, servers, jobs };
}
