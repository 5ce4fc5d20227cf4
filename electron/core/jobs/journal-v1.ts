// The journal's first file format (`journal.json`, version 1): one JSON document holding everything, rewritten whole
// at every change. Read once, when a data folder that has one is first opened by a version that keeps the log.
import { z } from 'zod';
import { activeRecord, clientIdRecord, finishedMark, finishedRecord, type ServerState } from './journal-records.js';

const serverRecord = z.object({
  clientId: clientIdRecord.optional(),
  ownClientIds: z.array(z.string()).default([]),
  baselined: z.boolean().default(false),
  knownIds: z.array(z.string()).default([]),
  mark: finishedMark.optional(),
  witness: z.string().optional(),
  finished: z.array(finishedRecord).default([]),
  active: z.array(activeRecord).default([]),
});
const journalFile = z.object({ version: z.literal(1), servers: z.record(z.string(), serverRecord) });

/** The servers of a version-1 file; throws (SyntaxError, ZodError) when it is not one. */
export function parseJournalV1(text: string): Map<string, ServerState> {
  const parsed = journalFile.parse(JSON.parse(text));
  const servers = new Map<string, ServerState>();
  for (const [id, record] of Object.entries(parsed.servers)) {
    servers.set(id, {
      ...(record.clientId && { clientId: record.clientId }),
      ownClientIds: record.ownClientIds,
      baselined: record.baselined,
      knownIds: new Set(record.knownIds),
      ...(record.mark && { mark: record.mark }),
      ...(record.witness !== undefined && { witness: record.witness }),
      finished: new Map(record.finished.map((job) => [job.id, job])),
      active: record.active,
    });
  }
  return servers;
}
