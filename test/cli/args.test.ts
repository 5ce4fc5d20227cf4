import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mcpSwitchArgs, parseCli } from '../../electron/cli/args.js';

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

test('mcp takes the server options of watch and any number of --output-dir; watch takes one', () => {
  assert.deepEqual(parseCli(['mcp']), { command: 'mcp', servers: [], verbose: false, outputDirs: [] });
  assert.deepEqual(parseCli(['mcp', '--server', 'http://a:1', '--server', 'https://b/x', '--data-dir', 'd', '--output-dir', 'o1', '--output-dir', 'o2', '--verbose']), {
    command: 'mcp',
    servers: ['http://a:1', 'https://b/x'],
    dataDir: 'd',
    verbose: true,
    outputDirs: ['o1', 'o2'],
  });
  assert.throws(() => parseCli(['mcp', '--server', 'ftp://x']), { code: 'CONFIG_INVALID' });
  assert.throws(() => parseCli(['mcp', 'extra']), { code: 'CLI_USAGE' });
  assert.throws(() => parseCli(['mcp', '--output-template', '{filename}']), { code: 'CLI_USAGE' });
  assert.throws(() => parseCli(['mcp', '--wait']), { code: 'CLI_USAGE' });
  assert.throws(() => parseCli(['--output-dir', 'a', '--output-dir', 'b']), { code: 'CLI_USAGE' });
  assert.deepEqual(parseCli(['--output-dir', 'a']), { command: 'watch', servers: [], verbose: false, outputDir: 'a' });
});

test('the app\'s --mcp switch: what follows it is the mcp command\'s, whatever came before', () => {
  assert.deepEqual(mcpSwitchArgs(['/Applications/Comfy Tray.app/Contents/MacOS/Comfy Tray', '--mcp', '--server', 'http://a:1']), ['--server', 'http://a:1']);
  assert.deepEqual(mcpSwitchArgs(['electron', '.', '--mcp']), []);
  assert.equal(mcpSwitchArgs(['electron', '.', 'portrait.png']), undefined);
});
