// The door to the user's browser (shell/external-url.ts): only http(s) URLs of a configured server, inside its path
// prefix, and never with credentials in them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkExternalUrl, openCheckedUrl, underAnyBase } from '../../electron/shell/external-url.js';

const servers = ['http://127.0.0.1:8188', 'https://user:secret@gpu.example.com/comfy'];
const configured = underAnyBase(() => servers);
const check = (text: string) => checkExternalUrl(text, configured);

test('script, file and data URLs are refused, whatever their casing or padding', () => {
  for (const text of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    '  javascript:alert(1)',
    'java\tscript:alert(1)',
    'file:///etc/passwd',
    'FILE:///C:/Windows/System32/calc.exe',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'ftp://127.0.0.1:8188/',
    'smb://gpu.example.com/comfy/',
  ]) {
    assert.deepEqual(check(text), { ok: false, code: 'URL_SCHEME_REFUSED' }, text);
  }
});

test('text that is not a URL is refused', () => {
  for (const text of ['', 'not a url', '127.0.0.1:8188/queue', '//gpu.example.com/comfy/', 'http://']) {
    assert.equal(check(text).ok, false, text);
  }
  assert.deepEqual(check('not a url'), { ok: false, code: 'URL_INVALID' });
});

test('an http origin that is not a configured server is refused', () => {
  for (const text of [
    'https://evil.example/',
    'http://localhost:8188/', // the same machine under another name is another origin
    'http://127.0.0.1:8189/',
    'https://127.0.0.1:8188/', // scheme differs
    'http://gpu.example.com/comfy/', // configured as https
    'https://gpu.example.com.evil.example/comfy/',
    'https://gpu.example.com@evil.example/comfy/',
  ]) {
    assert.deepEqual(check(text), { ok: false, code: 'URL_NOT_ALLOWED' }, text);
  }
});

test('a configured server with a path prefix opens inside the prefix only', () => {
  for (const text of ['https://gpu.example.com/comfy', 'https://gpu.example.com/comfy/', 'https://gpu.example.com/comfy/view?filename=a.png']) {
    assert.equal(check(text).ok, true, text);
  }
  for (const text of [
    'https://gpu.example.com/',
    'https://gpu.example.com/comfyui/',
    'https://gpu.example.com/admin',
    'https://gpu.example.com/comfy/../admin',
    'https://gpu.example.com/comfy/%2e%2e/admin',
    'https://gpu.example.com/Comfy/',
  ]) {
    assert.deepEqual(check(text), { ok: false, code: 'URL_NOT_ALLOWED' }, text);
  }
  // A server at the root allows its whole origin.
  assert.equal(check('http://127.0.0.1:8188/api/queue').ok, true);
});

test('credentials are stripped: from the configured URL itself and from any URL given', () => {
  assert.deepEqual(check('https://user:secret@gpu.example.com/comfy/'), { ok: true, url: 'https://gpu.example.com/comfy/' });
  assert.deepEqual(check('http://someone@127.0.0.1:8188/'), { ok: true, url: 'http://127.0.0.1:8188/' });
  assert.deepEqual(check('http://:pw@127.0.0.1:8188/'), { ok: true, url: 'http://127.0.0.1:8188/' });
});

test('odd casing and padding normalize to the configured server', () => {
  assert.deepEqual(check('  HTTPS://GPU.Example.COM/comfy/  '), { ok: true, url: 'https://gpu.example.com/comfy/' });
  assert.deepEqual(check('\nhttp://127.0.0.1:8188/\t'), { ok: true, url: 'http://127.0.0.1:8188/' });
  assert.deepEqual(check('http://127.0.0.1:80/'), { ok: false, code: 'URL_NOT_ALLOWED' });
  assert.deepEqual(underAnyBase(() => ['http://example.com:80/'])(new URL('http://EXAMPLE.com/x')), true);
});

test('with no server configured nothing opens, whatever the site', () => {
  const none = underAnyBase(() => []);
  for (const url of ['https://comfy.org/', 'http://127.0.0.1:8188/', 'https://docs.comfy.org/']) assert.deepEqual(checkExternalUrl(url, none), { ok: false, code: 'URL_NOT_ALLOWED' });
});

test('the allowed servers are read when a URL is checked, so settings edits apply at once', () => {
  const list: string[] = [];
  const rule = underAnyBase(() => list);
  assert.equal(checkExternalUrl('http://10.0.0.2:8188/', rule).ok, false);
  list.push('http://10.0.0.2:8188');
  assert.equal(checkExternalUrl('http://10.0.0.2:8188/', rule).ok, true);
});

test('a broken configured URL allows nothing', () => {
  assert.equal(checkExternalUrl('http://127.0.0.1:8188/', underAnyBase(() => ['not a url', ''])).ok, false);
});

test('openCheckedUrl hands only the checked URL to the browser', async () => {
  const opened: string[] = [];
  const open = async (url: string) => void opened.push(url);
  assert.equal(await openCheckedUrl('javascript:alert(1)', configured, open), false);
  assert.equal(await openCheckedUrl('https://evil.example/', configured, open), false);
  assert.equal(await openCheckedUrl(' https://user:secret@gpu.example.com/comfy ', configured, open), true);
  assert.deepEqual(opened, ['https://gpu.example.com/comfy']);
});
