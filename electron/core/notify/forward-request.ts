// The HTTP request one forwarded notification becomes, per target kind. Pure: the delivery (forward-delivery.ts)
// sends what this builds, and tests compare it with what receivers got.
//  - ntfy: JSON publish to the server's root; with a thumbnail, a PUT of the image to /{topic} with the text in the
//    query (ntfy's attachment upload), so names and bodies in any script survive.
//  - webhook: our JSON (documented in the README), signed with HMAC-SHA256 of the exact body when it has a secret.
//  - Discord: an embed; with a thumbnail, multipart with the image attached and shown in the embed.
//  - Slack: text and a block (incoming webhooks cannot take files, so no thumbnail).
import { createHmac, randomUUID } from 'node:crypto';
import type { ForwardTarget } from './forward-settings.js';

export type ForwardMessageKind = 'done' | 'failed' | 'queue-finished' | 'server-offline' | 'test';

export interface ForwardMessage {
  readonly kind: ForwardMessageKind;
  readonly title: string;
  readonly body: string;
  /** When it happened (epoch ms). */
  readonly at: number;
  readonly server?: { readonly id: string; readonly name: string };
  /** One job the message is about (absent for summaries). */
  readonly job?: { readonly id: string; readonly status: string; readonly workflowName?: string; readonly durationMs?: number; readonly outputs: number };
  /** Several jobs at once: how many of each end. */
  readonly counts?: Readonly<Record<string, number>>;
  readonly thumbnail?: ForwardImage;
}

export interface ForwardImage {
  readonly mime: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
  readonly bytes: Uint8Array;
}

export interface ForwardRequest {
  readonly method: 'POST' | 'PUT';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** The header carrying the webhook body's signature: `sha256=` and the hex HMAC-SHA256 of the body with the secret. */
export const SIGNATURE_HEADER = 'x-comfy-tray-signature';
export const EVENT_HEADER = 'x-comfy-tray-event';
/** The same for every try of one message, so a receiver can drop a repeat. */
export const DELIVERY_HEADER = 'x-comfy-tray-delivery';

/** Largest thumbnail embedded in a webhook's JSON (base64 grows it by a third). */
const MAX_WEBHOOK_THUMBNAIL_BYTES = 256 * 1024;

const EMOJI: Readonly<Record<ForwardMessageKind, string>> = {
  done: 'white_check_mark',
  failed: 'x',
  'queue-finished': 'checkered_flag',
  'server-offline': 'warning',
  test: 'bell',
};
const DISCORD_COLOUR: Readonly<Record<ForwardMessageKind, number>> = {
  done: 0x2e9d5b,
  failed: 0xd9434a,
  'queue-finished': 0x2e9d5b,
  'server-offline': 0xe3a008,
  test: 0x5865f2,
};
const SLACK_EMOJI: Readonly<Record<ForwardMessageKind, string>> = {
  done: ':white_check_mark:',
  failed: ':x:',
  'queue-finished': ':checkered_flag:',
  'server-offline': ':warning:',
  test: ':bell:',
};

export function forwardRequest(target: ForwardTarget, message: ForwardMessage, delivery: string = randomUUID()): ForwardRequest {
  switch (target.kind) {
    case 'ntfy':
      return ntfyRequest(target, message);
    case 'webhook':
      return webhookRequest(target, message, delivery);
    case 'discord':
      return discordRequest(target, message);
    case 'slack':
      return slackRequest(target, message);
  }
}

function ntfyRequest(target: ForwardTarget, message: ForwardMessage): ForwardRequest {
  const auth: Record<string, string> = target.secret === undefined ? {} : { authorization: `Bearer ${target.secret}` };
  const server = target.url.endsWith('/') ? target.url : `${target.url}/`;
  const priority = message.kind === 'failed' || message.kind === 'server-offline' ? 4 : 3;
  const tags = [EMOJI[message.kind]];
  if (message.thumbnail) {
    const url = new URL(encodeURIComponent(target.topic ?? ''), server);
    url.searchParams.set('title', message.title);
    url.searchParams.set('message', message.body);
    url.searchParams.set('tags', tags.join(','));
    url.searchParams.set('priority', String(priority));
    url.searchParams.set('filename', `thumbnail.${extension(message.thumbnail.mime)}`);
    return { method: 'PUT', url: url.href, headers: { ...auth, 'content-type': message.thumbnail.mime }, body: message.thumbnail.bytes };
  }
  const json = { topic: target.topic, title: message.title, message: message.body, tags, priority };
  return { method: 'POST', url: server, headers: { ...auth, 'content-type': 'application/json' }, body: utf8(JSON.stringify(json)) };
}

/** The generic webhook's body: stable field names, documented in the README. */
export function webhookBody(message: ForwardMessage): Record<string, unknown> {
  const thumbnail = message.thumbnail && message.thumbnail.bytes.length <= MAX_WEBHOOK_THUMBNAIL_BYTES ? message.thumbnail : undefined;
  return {
    event: message.kind,
    title: message.title,
    body: message.body,
    at: new Date(message.at).toISOString(),
    ...(message.server && { server: { id: message.server.id, name: message.server.name } }),
    ...(message.job && {
      job: {
        id: message.job.id,
        status: message.job.status,
        ...(message.job.workflowName !== undefined && { workflow_name: message.job.workflowName }),
        ...(message.job.durationMs !== undefined && { duration_ms: message.job.durationMs }),
        outputs: message.job.outputs,
      },
    }),
    ...(message.counts && { counts: message.counts }),
    ...(thumbnail && { thumbnail: { mime: thumbnail.mime, base64: Buffer.from(thumbnail.bytes).toString('base64') } }),
  };
}

function webhookRequest(target: ForwardTarget, message: ForwardMessage, delivery: string): ForwardRequest {
  const body = utf8(JSON.stringify(webhookBody(message)));
  const headers: Record<string, string> = { 'content-type': 'application/json', [EVENT_HEADER]: message.kind, [DELIVERY_HEADER]: delivery };
  if (target.secret !== undefined && target.secret !== '') headers[SIGNATURE_HEADER] = signature(target.secret, body);
  return { method: 'POST', url: target.url, headers, body };
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact bytes sent, keyed with the secret. */
export function signature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function discordRequest(target: ForwardTarget, message: ForwardMessage): ForwardRequest {
  const url = target.secret ?? target.url;
  const file = message.thumbnail && `thumbnail.${extension(message.thumbnail.mime)}`;
  const embed = {
    title: clip(message.title, 256),
    description: clip(message.body, 4096),
    color: DISCORD_COLOUR[message.kind],
    timestamp: new Date(message.at).toISOString(),
    ...(file && { image: { url: `attachment://${file}` } }),
  };
  // No pings, whatever a job's name says.
  const payload = { username: 'Comfy Tray', embeds: [embed], allowed_mentions: { parse: [] } };
  if (!message.thumbnail || !file) return { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: utf8(JSON.stringify(payload)) };
  const boundary = `comfy-tray-${randomUUID()}`;
  const parts = [
    part(boundary, 'name="payload_json"', 'application/json', utf8(JSON.stringify({ ...payload, attachments: [{ id: 0, filename: file }] }))),
    part(boundary, `name="files[0]"; filename="${file}"`, message.thumbnail.mime, message.thumbnail.bytes),
    utf8(`--${boundary}--\r\n`),
  ];
  return { method: 'POST', url, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: Buffer.concat(parts) };
}

function slackRequest(target: ForwardTarget, message: ForwardMessage): ForwardRequest {
  const text = `${SLACK_EMOJI[message.kind]} *${slackEscape(message.title)}*\n${slackEscape(message.body)}`;
  const payload = { text: `${message.title}: ${message.body}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } }] };
  return { method: 'POST', url: target.secret ?? target.url, headers: { 'content-type': 'application/json' }, body: utf8(JSON.stringify(payload)) };
}

function part(boundary: string, disposition: string, type: string, data: Uint8Array): Buffer {
  return Buffer.concat([utf8(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: ${type}\r\n\r\n`), data, utf8('\r\n')]);
}

/** Slack reads `<`, `>` and `&` as markup (links, mentions): a job's name must not become one. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function extension(mime: ForwardImage['mime']): string {
  return mime === 'image/jpeg' ? 'jpg' : mime.slice('image/'.length);
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
