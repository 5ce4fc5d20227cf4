// /api/jobs routes (modern generation only; legacy servers answer 404/405 like any unknown path), as ComfyUI 0.28.0
// has them, or as 0.8.0 had them (no `cancelled` status, no cancel routes).
import type { SimCore } from './core.js';
import { jsonResponse } from './http.js';
import { isRecord, pyRepr } from './json.js';
import { historyJob, isCanonicalUuid, jobStatusesOf, type JobStatus, type JobsQuery, listJobs, queueJob } from './jobs.js';
import type { SimJobsApi } from './types.js';
import { BAD_JSON, jsonBody, type Router } from './router.js';

type Parsed = { query: JobsQuery } | { error: string };

function parseQuery(params: URLSearchParams, known: readonly JobStatus[]): Parsed {
  const statusParam = params.get('status');
  const sortBy = (params.get('sort_by') ?? 'created_at').toLowerCase();
  const sortOrder = (params.get('sort_order') ?? 'desc').toLowerCase();
  let statuses: readonly JobStatus[] = known;
  if (statusParam) {
    const wanted = statusParam
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0);
    const invalid = wanted.filter((s) => !(known as readonly string[]).includes(s));
    if (invalid.length > 0) return { error: `Invalid status value(s): ${invalid.join(', ')}. Valid values: ${known.join(', ')}` };
    statuses = wanted as JobStatus[];
  }
  if (sortBy !== 'created_at' && sortBy !== 'execution_duration') return { error: "sort_by must be 'created_at' or 'execution_duration'" };
  if (sortOrder !== 'asc' && sortOrder !== 'desc') return { error: "sort_order must be 'asc' or 'desc'" };
  let limit: number | undefined;
  if (params.has('limit')) {
    const text = (params.get('limit') ?? '').trim();
    if (!/^[+-]?\d+$/.test(text)) return { error: 'limit must be an integer' };
    limit = Number.parseInt(text, 10);
    if (limit <= 0) return { error: 'limit must be a positive integer' };
  }
  let offset = 0;
  if (params.has('offset')) {
    const text = (params.get('offset') ?? '').trim();
    if (!/^[+-]?\d+$/.test(text)) return { error: 'offset must be an integer' };
    offset = Math.max(0, Number.parseInt(text, 10));
  }
  return { query: { statuses, workflowId: params.get('workflow_id') ?? undefined, sortBy, sortOrder, limit, offset } };
}

export function addJobsRoutes(router: Router, core: SimCore, flavour: SimJobsApi): void {
  router
    .add('GET', '/api/jobs', (req) => {
      const parsed = parseQuery(req.query, jobStatusesOf(flavour));
      if ('error' in parsed) return jsonResponse({ error: parsed.error }, 400);
      const { query } = parsed;
      const [jobs, total] = listJobs(core.queue.runningItems(), core.queue.pendingItems(), core.history.all(), query, flavour);
      return jsonResponse({
        jobs,
        pagination: { offset: query.offset, limit: query.limit ?? null, total, has_more: query.offset + jobs.length < total },
      });
    })
    .add('GET', '/api/jobs/{job_id}', (_req, [id = '']) => {
      const entry = core.history.get(id);
      if (entry) return jsonResponse(historyJob(id, entry, true, flavour));
      const running = core.queue.runningItems().find((i) => i.promptId === id);
      if (running) return jsonResponse(queueJob(running, 'in_progress'));
      const pending = core.queue.pendingItems().find((i) => i.promptId === id);
      if (pending) return jsonResponse(queueJob(pending, 'pending'));
      return jsonResponse({ error: 'Job not found' }, 404);
    });
  // The cancel routes came with 0.26.0.
  if (flavour === 'v0.8') return;
  router
    .add('POST', '/api/jobs/{job_id}/cancel', (_req, [id = '']) => jsonResponse({ cancelled: core.cancelJob(id) }))
    .add('POST', '/api/jobs/cancel', async (req) => {
      const data = await jsonBody(req);
      if (data === BAD_JSON) return jsonResponse({ error: 'Request body must be valid JSON' }, 400);
      const ids = isRecord(data) ? data.job_ids : undefined;
      if (!Array.isArray(ids)) return jsonResponse({ error: 'job_ids must be a list' }, 400);
      const invalid = ids.filter((id) => !isCanonicalUuid(id)).map((id) => (typeof id === 'string' ? id : pyRepr(id)));
      if (invalid.length > 0) return jsonResponse({ error: 'job_ids contains invalid id(s)', invalid_ids: invalid }, 400);
      let cancelled = false;
      for (const id of ids as string[]) if (core.cancelJob(id)) cancelled = true;
      return jsonResponse({ cancelled });
    });
}
