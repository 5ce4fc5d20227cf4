// Every frame and every HTTP body recorded from real ComfyUI 0.28.0 and 0.3.54 servers goes through our parsers:
// nothing recorded may be malformed to us, and the values we read must match what the server said.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBinaryFrame } from '../../../electron/core/comfy/binary-frames.js';
import { decodeTextFrame } from '../../../electron/core/comfy/messages.js';
import { activeFromQueue, activeFromQueueText, fromHistoryBody, fromJobsApiItem, fromJobsList, type RemoteJob } from '../../../electron/core/comfy/remote-jobs.js';
import { scanQueueListing } from '../../../electron/core/comfy/queue-listing-scan.js';
import { workflowSignature } from '../../../electron/core/comfy/workflow-signature.js';
import { binaryFrame, frameText, httpTranscript, notes, RECORDED_VERSIONS, scenarios, wsTranscripts } from '../../support/recorded.js';

const KNOWN_TYPES = new Set([
  'status', 'feature_flags', 'execution_start', 'execution_cached', 'executing', 'progress', 'progress_state',
  'executed', 'execution_success', 'execution_error', 'execution_interrupted',
]);

for (const version of RECORDED_VERSIONS) {
  describe(`recorded ComfyUI ${version}`, () => {
    test('every text frame decodes to its own type, none malformed', () => {
      let count = 0;
      for (const scenario of scenarios(version)) {
        for (const [label, lines] of wsTranscripts(version, scenario)) {
          for (const line of lines) {
            if (!line.msg) continue;
            count++;
            const decoded = decodeTextFrame(frameText(line));
            const where = `${scenario}/ws-${label} ${line.msg.type}`;
            if (KNOWN_TYPES.has(line.msg.type)) assert.equal(decoded.type, line.msg.type, where);
            else assert.equal(decoded.type, 'unknown', where);
          }
        }
      }
      assert.ok(count > 300, `only ${count} frames read`);
    });

    test('binary frames decode by their 4-byte type, with ids and image format from the header', () => {
      let count = 0;
      for (const scenario of scenarios(version)) {
        for (const lines of wsTranscripts(version, scenario).values()) {
          for (const line of lines.filter((l) => l.binary)) {
            count++;
            const decoded = decodeBinaryFrame(binaryFrame(line));
            assert.equal(decoded.type, 'preview', `${scenario} event_type ${line.event_type}`);
            if (decoded.type !== 'preview') continue;
            assert.equal(decoded.image.subarray(0, 8).toString('hex'), line.image_first8_hex);
            if (line.event_type === 4) {
              assert.equal(decoded.promptId, line.metadata?.prompt_id);
              assert.equal(decoded.nodeId, line.metadata?.node_id);
              assert.equal(decoded.mime, line.metadata?.image_type);
            } else {
              assert.equal(decoded.mime, line.image_format === 2 ? 'image/png' : 'image/jpeg');
            }
          }
        }
      }
      assert.ok(count > 0);
    });

    test('/queue bodies parse, and pending jobs come out in execution (priority) order', () => {
      const bodies = scenarios(version).flatMap((s) => httpTranscript(version, s)).filter((h) => /^\/(api\/)?queue$/.test(h.path) && h.method === 'GET');
      assert.ok(bodies.length > 0);
      for (const h of bodies) {
        const active = activeFromQueue(h.body);
        const raw = h.body as { queue_pending: unknown[][]; queue_running: unknown[][] };
        assert.equal(active.pending.length, raw.queue_pending.length);
        assert.equal(active.running.length, raw.queue_running.length);
        const priorities = active.pending.map((j) => j.priority ?? 0);
        assert.deepEqual(priorities, [...priorities].sort((a, b) => a - b));
        for (const job of [...active.running, ...active.pending]) {
          assert.ok(job.nodes && Object.keys(job.nodes).length > 0);
          // The workflow signature (duration estimates) from the listing; never a record's exact prompt.
          assert.equal(job.signature, workflowSignature(raw.queue_pending.concat(raw.queue_running).find((item) => item[1] === job.id)?.[2]));
          assert.ok(job.signature !== undefined && job.prompt === undefined);
        }
        // The app reads the body's text with the scanner: as the server writes it (Python's separators), it reads
        // the same jobs, by itself, not through the whole-body parse it falls back to.
        const text = JSON.stringify(h.body).replaceAll('":', '": ').replaceAll(/,(?=["{[\d-])/g, ', ');
        assert.equal(scanQueueListing(text).pending.length, raw.queue_pending.length);
        const scanned = activeFromQueueText(text, () => assert.fail('the scanner fell back to the whole parse'));
        const fields = (j: RemoteJob) => [j.id, j.status, j.priority, j.clientId, j.createdAt, j.workflowName, j.nodes];
        assert.deepEqual([...scanned.running, ...scanned.pending].map(fields), [...active.running, ...active.pending].map(fields));
      }
    });

    test('history entries give the jobs API status rules, times, errors and outputs', () => {
      const histories = scenarios(version).flatMap((s) => httpTranscript(version, s)).filter((h) => /^\/(api\/)?history/.test(h.path) && h.status === 200);
      assert.ok(histories.length > 0);
      for (const h of histories) {
        for (const job of fromHistoryBody(h.body)) {
          const entry = (h.body as Record<string, { status?: { status_str?: string; messages?: [string, unknown][] } }>)[job.id]!;
          const interrupted = entry.status?.messages?.some(([type]) => type === 'execution_interrupted') ?? false;
          const expected = entry.status?.status_str === 'error' ? (interrupted ? 'cancelled' : 'failed') : 'completed';
          assert.equal(job.status, expected, `${h.path} ${job.id}`);
          if (job.status === 'failed') assert.ok(job.error?.exceptionType, 'failed job carries its error');
          assert.ok(job.endedAt === undefined || job.startedAt === undefined || job.endedAt >= job.startedAt);
          const cached = entry.status?.messages?.find(([type]) => type === 'execution_cached')?.[1] as { nodes?: unknown[] } | undefined;
          assert.equal(job.cachedNodeCount, cached?.nodes?.length, `${h.path} ${job.id} cached nodes`);
        }
      }
    });
  });
}

describe('recorded ComfyUI 0.28.0 jobs API', () => {
  const http = scenarios('0.28.0').flatMap((s) => httpTranscript('0.28.0', s));

  test('list pages parse with every job and status', () => {
    const lists = http.filter((h) => h.path.startsWith('/api/jobs') && h.status === 200 && (h.body as { jobs?: unknown }).jobs);
    assert.ok(lists.length > 5);
    for (const h of lists) {
      const raw = (h.body as { jobs: { status: string }[] }).jobs;
      const { jobs } = fromJobsList(h.body);
      assert.equal(jobs.length, raw.length, h.path);
      raw.forEach((r, i) => assert.equal(jobs[i]!.status, r.status === 'in_progress' ? 'running' : r.status));
    }
  });

  test('job detail carries outputs and node titles from the stored prompt', () => {
    const details = http.filter((h) => /^\/api\/jobs\/[0-9a-f-]{36}$/.test(h.path) && h.status === 200);
    assert.ok(details.length > 0);
    for (const h of details) {
      const job = fromJobsApiItem(h.body);
      assert.ok(job, h.path);
      if (job.status === 'completed') assert.ok(job.outputs, 'finished detail lists outputs');
      // The run's `execution_cached` message, kept in the detail's execution_status: how much the cache did.
      const messages = (h.body as { execution_status?: { messages?: [string, { nodes?: unknown[] }][] } }).execution_status?.messages;
      const cached = messages?.find(([type]) => type === 'execution_cached')?.[1].nodes;
      assert.equal(job.cachedNodeCount, cached?.length, h.path);
    }
  });

  test('the failed run of scenario 04 reads as SaveImage failing with the server’s message', () => {
    const id = notes('0.28.0', '04_execution_error_client_A').prompt_id as string;
    const ws = wsTranscripts('0.28.0', '04_execution_error_client_A').get('A')!;
    const error = ws.map((l) => (l.msg ? decodeTextFrame(frameText(l)) : undefined)).find((m) => m?.type === 'execution_error');
    assert.ok(error && error.type === 'execution_error');
    assert.equal(error.promptId, id);
    assert.equal(error.blocked, false);
    assert.equal(error.error.nodeType, 'SaveImage');
    assert.match(error.error.message, /outside the output folder/);
  });
});
