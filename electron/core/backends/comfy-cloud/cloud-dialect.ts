// How Comfy Cloud differs on the connection: the key goes in the socket's query (`?token=`), the account is checked
// through the jobs API (the one route its API documents for every plan), its queue size is the count of the user's
// jobs in flight, and its socket promises no first frame.
import type { ServerCapabilities } from '../../../shared/app-state.js';
import type { ConnectionDialect } from '../../comfy/connection-dialect.js';
import { ComfyTrayError } from '../../errors.js';
import { requestCredentials } from '../../comfy/server-config.js';
import { askCloud } from './cloud-errors.js';

const CLOUD_CAPABILITIES: ServerCapabilities = {
  jobsApi: true,
  // Cloud documents neither the per-job cancel route nor a targeted interrupt (its interrupt stops every running job).
  cancelEndpoint: false,
  targetedInterrupt: false,
  supportsPreviewMetadata: false,
};

function total(body: unknown): number | undefined {
  const record = body !== null && typeof body === 'object' ? (body as { jobs?: unknown; pagination?: { total?: unknown } }) : undefined;
  if (!Array.isArray(record?.jobs)) return undefined;
  return typeof record.pagination?.total === 'number' ? record.pagination.total : record.jobs.length;
}

export const CLOUD_DIALECT: ConnectionDialect = {
  async identify(http, timeoutMs) {
    const body = await askCloud('Comfy Cloud jobs', () => http.getJson('api/jobs', { limit: 1 }, { timeoutMs }));
    if (total(body) === undefined) throw new ComfyTrayError('COMFY_INCOMPATIBLE', 'This does not answer like Comfy Cloud: its /api/jobs has no job list');
    return { capabilities: CLOUD_CAPABILITIES };
  },
  async queueRemaining(http, timeoutMs) {
    return total(await askCloud('Comfy Cloud jobs', () => http.getJson('api/jobs', { status: 'pending,in_progress', limit: 1 }, { timeoutMs })));
  },
  statusFirst: false,
  statusAfterSubmit: false,
  // Its front always accepts: a failed attempt is retried on the backoff, as a port check would tell nothing.
  watchPortWhileDown: false,
  socketCredentials(server) {
    const auth = server.auth;
    // `wss://…/ws?clientId=…&token=<API key>`, as Comfy Cloud documents it.
    return auth.kind === 'api-key' ? { headers: {}, query: { token: auth.key } } : requestCredentials(auth);
  },
};
