// What one server's `/api/jobs` accepts, learned from what it refuses. The route changed between releases (0.8.0
// knows no `cancelled` status and answers 400 to a filter that names it; a proxy or a fork may refuse `sort_by`),
// so the client starts with the documented query and narrows it to what the server said, never guessing by version.

/** Every status the documented route filters on, in the order queries name them. */
export const JOBS_API_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type JobsApiStatus = (typeof JOBS_API_STATUSES)[number];

export interface JobsApiDialect {
  /** Statuses the `status` filter accepts; empty when the server refuses the filter itself (filter here instead). */
  readonly statuses: readonly JobsApiStatus[];
  /** Whether `sort_by` / `sort_order` are accepted (without them the server's default order is newest first). */
  readonly sort: boolean;
}

export const DOCUMENTED_DIALECT: JobsApiDialect = { statuses: JOBS_API_STATUSES, sort: true };

export type JobsQuery = Record<string, string | number>;

/**
 * The query for jobs in any of `wanted`, as this server accepts it, and whether the answer must still be filtered
 * here. A status the server does not accept in the filter is one it never reports (its list of valid values is the
 * list of what it can say), so leaving it out loses nothing.
 */
export function jobsQuery(dialect: JobsApiDialect, wanted: readonly JobsApiStatus[], extra: { sortNewestFirst?: boolean; limit?: number; offset?: number } = {}): { query: JobsQuery; filterHere: boolean } {
  const query: JobsQuery = {};
  let filterHere = false;
  if (dialect.statuses.length === 0) filterHere = true;
  else {
    const accepted = wanted.filter((status) => dialect.statuses.includes(status));
    // Nothing left to ask for: an empty filter would mean "everything" to the server.
    if (accepted.length === 0) filterHere = true;
    else query.status = accepted.join(',');
  }
  if (extra.sortNewestFirst === true && dialect.sort) Object.assign(query, { sort_by: 'created_at', sort_order: 'desc' });
  if (extra.limit !== undefined) query.limit = extra.limit;
  if (extra.offset !== undefined) query.offset = extra.offset;
  return { query, filterHere };
}

/**
 * What a 400 answer to `query` teaches: the narrower dialect to try next, or undefined when nothing in the query can
 * be given up any more (the refusal is about something else, and the caller reports it).
 */
export function learnFromRefusal(dialect: JobsApiDialect, query: JobsQuery, body: string): JobsApiDialect | undefined {
  const text = errorText(body);
  const askedStatuses = typeof query.status === 'string';
  const askedSort = query.sort_by !== undefined || query.sort_order !== undefined;
  if (askedStatuses && /status/i.test(text)) {
    const valid = listAfter(text, /\bvalid values?\s*(?:are|:)?/i);
    if (valid !== undefined) {
      const statuses = dialect.statuses.filter((status) => valid.includes(status));
      if (statuses.length < dialect.statuses.length) return { ...dialect, statuses };
    }
    const invalid = listAfter(text, /invalid status values?(?:\(s\))?\s*:?/i);
    if (invalid !== undefined) {
      const statuses = dialect.statuses.filter((status) => !invalid.includes(status));
      if (statuses.length < dialect.statuses.length) return { ...dialect, statuses };
    }
    return { ...dialect, statuses: [] };
  }
  if (askedSort && /sort/i.test(text)) return { ...dialect, sort: false };
  // A refusal that names nothing we can drop alone: ask the plainest query the route has.
  if (askedStatuses || askedSort) return { statuses: askedStatuses ? [] : dialect.statuses, sort: false };
  return undefined;
}

/** How the capabilities show a narrowed dialect (nothing when the server takes the documented query). */
export function describeDialect(dialect: JobsApiDialect): { jobsStatusFilter?: readonly string[]; jobsSort?: false } {
  return {
    ...(dialect.statuses.length < JOBS_API_STATUSES.length && { jobsStatusFilter: dialect.statuses }),
    ...(!dialect.sort && { jobsSort: false as const }),
  };
}

function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && 'error' in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (typeof error === 'string') return error;
      if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    }
  } catch {
    // Not JSON: the body itself is the message.
  }
  return body;
}

/** The comma-separated words after `marker`, up to the end of that sentence. */
function listAfter(text: string, marker: RegExp): string[] | undefined {
  const match = marker.exec(text);
  if (!match) return undefined;
  const rest = text.slice(match.index + match[0].length);
  const sentence = rest.split(/\.(?:\s|$)/, 1)[0] ?? '';
  const words = sentence
    .split(',')
    .map((word) => word.trim().toLowerCase().replace(/^['"\[]+|['"\]]+$/g, ''))
    .filter((word) => /^[a-z_]+$/.test(word));
  return words.length > 0 ? words : undefined;
}
