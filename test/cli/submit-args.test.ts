// Arguments of `submit` and `convert`: defaults, validation, and submit-only flags refused elsewhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HELP, parseCli } from '../../electron/cli/args.js';
import { ComfyTrayError } from '../../electron/core/errors.js';

const usage = (error: unknown): boolean => error instanceof ComfyTrayError && error.code === 'CLI_USAGE';

test('submit and convert parse their file, server and options', () => {
  assert.deepEqual(parseCli(['submit', 'a.png', '--server', 'http://h:8188', '--wait', '--repeat', '3', '--randomize-seeds', '--front']), {
    command: 'submit',
    file: 'a.png',
    server: 'http://h:8188',
    verbose: false,
    wait: true,
    repeat: 3,
    randomizeSeeds: true,
    front: true,
    upload: false,
    force: false,
  });
  assert.deepEqual(parseCli(['convert', 'w.json', '--server', 'http://h:8188']), { command: 'convert', file: 'w.json', server: 'http://h:8188', verbose: false });
  assert.match(HELP, /submit FILE --server URL \[--wait\]/);
  assert.match(HELP, /convert FILE --server URL/);
});

test('bad submit usage is one clear CLI_USAGE error', () => {
  assert.throws(() => parseCli(['submit', '--server', 'http://h:8188']), usage);
  assert.throws(() => parseCli(['submit', 'a.png']), usage);
  assert.throws(() => parseCli(['submit', 'a.png', '--server', 'http://h', '--repeat', '0']), usage);
  assert.throws(() => parseCli(['submit', 'a.png', '--server', 'http://h', '--repeat', '2.5']), usage);
  assert.throws(() => parseCli(['submit', 'a.png', '--server', 'http://h', '--repeat', '1001']), usage);
  assert.throws(() => parseCli(['watch', '--wait']), usage);
  assert.throws(() => parseCli(['convert', 'a.png', '--server', 'http://h', '--front']), usage);
});
