// /prompt, /queue, /interrupt, /free and /history routes.
import type { SimCore } from './core.js';
import { emptyResponse, internalError, jsonResponse, rawJsonResponse } from './http.js';
import { isRecord, pyDumps } from './json.js';
import { pyBool } from './py-convert.js';
import { BAD_JSON, jsonBody, pyIterable, type Router } from './router.js';
import { queueTuple, type HistoryEntry, type QueueItem } from './types.js';

// Queue items never change after submission; big queues (10,000 items) are served from cached JSON.
const itemJson = new WeakMap<QueueItem, string>();

function serializeItems(items: QueueItem[]): string {
  return `[${items
    .map((item) => {
      let text = itemJson.get(item);
      if (text === undefined) {
        text = pyDumps(queueTuple(item));
        itemJson.set(item, text);
      }
      return text;
    })
    .join(', ')}]`;
}

function parseIntParam(value: string | null): number | undefined | 'bad' {
  if (value === null) return undefined;
  const text = value.trim();
  return /^[+-]?\d+$/.test(text) ? Number.parseInt(text, 10) : 'bad';
}

function historyBody(entries: [string, HistoryEntry][]): Record<string, HistoryEntry> {
  const out: Record<string, HistoryEntry> = {};
  for (const [id, entry] of entries) Object.defineProperty(out, id, { value: entry, enumerable: true, writable: true, configurable: true });
  return out;
}

export function addQueueRoutes(router: Router, core: SimCore): void {
  router
    .add('GET', '/prompt', () => jsonResponse(core.queueInfo()))
    .add('POST', '/prompt', async (req) => {
      const data = await jsonBody(req);
      if (data === BAD_JSON) return internalError();
      const outcome = core.submit(data);
      return 'internalError' in outcome ? internalError() : jsonResponse(outcome.body, outcome.status);
    })
    .add('GET', '/queue', () =>
      rawJsonResponse(`{"queue_running": ${serializeItems(core.queue.runningItems())}, "queue_pending": ${serializeItems(core.queue.pendingItems())}}`),
    )
    .add('POST', '/queue', async (req) => {
      const data = await jsonBody(req);
      if (!isRecord(data)) return internalError();
      const ids = Object.hasOwn(data, 'delete') ? pyIterable(data.delete) : [];
      if (ids === undefined) return internalError();
      if (Object.hasOwn(data, 'clear') && pyBool(data.clear)) core.clearPending();
      for (const id of ids) core.deletePending(id);
      return emptyResponse();
    })
    .add('POST', '/interrupt', async (req) => {
      if (core.generation === 'legacy') {
        core.interrupt(undefined);
        return emptyResponse();
      }
      const data = await jsonBody(req);
      const body = data === BAD_JSON ? {} : data;
      if (!isRecord(body)) return internalError();
      core.interrupt(body);
      return emptyResponse();
    })
    .add('POST', '/free', async (req) => {
      const data = await jsonBody(req);
      if (!isRecord(data)) return internalError();
      core.requestFree(pyBool(data.free_memory));
      return emptyResponse();
    })
    .add('GET', '/history', (req) => {
      const maxItems = parseIntParam(req.query.get('max_items'));
      const offset = parseIntParam(req.query.get('offset'));
      if (maxItems === 'bad' || offset === 'bad') return internalError();
      return jsonResponse(historyBody(core.history.page(maxItems, offset ?? -1)));
    })
    .add('GET', '/history/{prompt_id}', (_req, [id]) => {
      const entry = id === undefined ? undefined : core.history.get(id);
      return jsonResponse(entry && id !== undefined ? historyBody([[id, entry]]) : {});
    })
    .add('POST', '/history', async (req) => {
      const data = await jsonBody(req);
      if (!isRecord(data)) return internalError();
      const ids = Object.hasOwn(data, 'delete') ? pyIterable(data.delete) : [];
      if (ids === undefined) return internalError();
      if (Object.hasOwn(data, 'clear') && pyBool(data.clear)) core.history.clear();
      for (const id of ids) if (typeof id === 'string') core.history.delete(id);
      return emptyResponse();
    });
}
