import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCli } from '../../electron/cli/args.js';

test('watch is the default command; without --server it leaves the choice to the app\'s settings', () => {
  assert.deepEqual(parseCli([]), { command: 'watch', servers: [], verbose: false });
  assert.deepEqual(parseCli(['--server', 'http://a:1', '--server', 'https://b/x', '--data-dir', 'd']), {
    command: 'watch',
    servers: ['http://a:1', 'https://b/x'],
    dataDir: 'd',
    verbose: false,
  });
});

test('status needs one job id and exactly one server', () => {
  assert.deepEqual(parseCli(['status', 'abc', '--server', 'http://a:1']), { command: 'status', jobId: 'abc', server: 'http://a:1', verbose: false });
  assert.throws(() => parseCli(['status', '--server', 'http://a:1']), { code: 'CLI_USAGE' });
  assert.throws(() => parseCli(['status', 'abc']), { code: 'CLI_USAGE' });
});

test('usage errors are CLI_USAGE; bad URLs are CONFIG_INVALID', () => {
  assert.throws(() => parseCli(['--bogus']), { code: 'CLI_USAGE' });
  assert.throws(() => parseCli(['frobnicate']), { code: 'CLI_USAGE' });
  assert.throws(() => parseCli(['--server', 'ftp://x']), { code: 'CONFIG_INVALID' });
  assert.deepEqual(parseCli(['-h']), { command: 'help' });
});
