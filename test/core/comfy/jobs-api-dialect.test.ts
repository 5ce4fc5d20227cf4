// What a refusal of /api/jobs teaches, on the exact answers real servers gave.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DOCUMENTED_DIALECT, describeDialect, jobsQuery, learnFromRefusal } from '../../../electron/core/comfy/jobs-api-dialect.js';
import { REAL_FIXTURES_URL } from '../../support/real-fixtures.js';

const refused = JSON.parse(readFileSync(new URL('0.8.0/refused-status-filter.json', REAL_FIXTURES_URL), 'utf8')) as { body_text: string };

test('ComfyUI 0.8.0 refusing `cancelled`: the filter keeps exactly the statuses the server named, and nothing is lost', () => {
  const { query } = jobsQuery(DOCUMENTED_DIALECT, ['completed', 'failed', 'cancelled'], { sortNewestFirst: true, limit: 20, offset: 0 });
  const learned = learnFromRefusal(DOCUMENTED_DIALECT, query, refused.body_text);
  assert.deepEqual(learned, { statuses: ['pending', 'in_progress', 'completed', 'failed'], sort: true });
  const next = jobsQuery(learned, ['completed', 'failed', 'cancelled'], { sortNewestFirst: true, limit: 20, offset: 0 });
  assert.deepEqual(next, { query: { status: 'completed,failed', sort_by: 'created_at', sort_order: 'desc', limit: 20, offset: 0 }, filterHere: false });
  assert.deepEqual(describeDialect(learned), { jobsStatusFilter: ['pending', 'in_progress', 'completed', 'failed'] });
  assert.deepEqual(describeDialect(DOCUMENTED_DIALECT), {}, 'the documented dialect shows nothing');
});

test('a refusal that names only the bad value drops that value', () => {
  const learned = learnFromRefusal(DOCUMENTED_DIALECT, { status: 'pending,cancelled' }, '{"error": "Invalid status value(s): cancelled"}');
  assert.deepEqual(learned?.statuses, ['pending', 'in_progress', 'completed', 'failed']);
});

test('a refusal about the status filter that says nothing usable drops the filter: the answer is filtered here', () => {
  const learned = learnFromRefusal(DOCUMENTED_DIALECT, { status: 'pending' }, 'status filtering is not supported');
  assert.deepEqual(learned, { statuses: [], sort: true });
  assert.deepEqual(jobsQuery(learned!, ['pending', 'in_progress']), { query: {}, filterHere: true });
});

test('a refused sort order drops sort_by and sort_order only', () => {
  const learned = learnFromRefusal(DOCUMENTED_DIALECT, { status: 'completed', sort_by: 'created_at', sort_order: 'desc' }, `{"error": "sort_by must be 'created_at' or 'execution_duration'"}`);
  assert.deepEqual(learned, { statuses: DOCUMENTED_DIALECT.statuses, sort: false });
  assert.deepEqual(jobsQuery(learned!, ['completed'], { sortNewestFirst: true }).query, { status: 'completed' });
});

test('an unexplained 400 falls back to the plainest query once, then has nothing left to give up', () => {
  const plain = learnFromRefusal(DOCUMENTED_DIALECT, { status: 'completed', sort_by: 'created_at', sort_order: 'desc' }, 'Bad Request');
  assert.deepEqual(plain, { statuses: [], sort: false });
  assert.equal(learnFromRefusal(plain!, jobsQuery(plain!, ['completed'], { sortNewestFirst: true, limit: 5 }).query, 'Bad Request'), undefined);
});

test('"Invalid values" is not read as a list of valid ones', () => {
  const learned = learnFromRefusal(DOCUMENTED_DIALECT, { status: 'cancelled,failed' }, 'Invalid status values: cancelled');
  assert.deepEqual(learned?.statuses, ['pending', 'in_progress', 'completed', 'failed']);
});
