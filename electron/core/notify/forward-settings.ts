// Where notifications are forwarded to (ntfy, a generic webhook, Discord or Slack incoming webhooks) and which kinds
// go there: the settings' schema for one target, and how its secret is kept apart. Each target has at most one
// secret: ntfy's access token, the webhook's signing key, or, for Discord and Slack, the incoming-webhook URL itself
// (its path is the credential). Secrets go to disk only through the keychain, like server credentials; what the
// settings file keeps of a Discord or Slack URL is its origin.
import { z } from 'zod';

export const FORWARD_KINDS = ['ntfy', 'webhook', 'discord', 'slack'] as const;
export type ForwardKind = (typeof FORWARD_KINDS)[number];

/** What may be forwarded. */
export const FORWARD_EVENTS = ['done', 'failed', 'queueFinished', 'serverOffline'] as const;
export type ForwardEvent = (typeof FORWARD_EVENTS)[number];

/** ntfy topics: letters, digits, `-` and `_`, at most 64 (ntfy's own rule). */
const NTFY_TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

export const forwardEventsSchema = z.object({
  done: z.boolean().default(true),
  failed: z.boolean().default(true),
  queueFinished: z.boolean().default(false),
  serverOffline: z.boolean().default(true),
});

const httpUrl = z
  .string()
  .max(2000)
  .superRefine((text, ctx) => {
    if (!isHttpUrl(text)) ctx.addIssue({ code: 'custom', message: 'Use an http:// or https:// URL' });
  });

export const forwardTargetSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(100),
    kind: z.enum(FORWARD_KINDS),
    enabled: z.boolean().default(true),
    /** ntfy: the server (https://ntfy.sh or your own); webhook: where to POST; Discord/Slack: the webhook URL's origin. */
    url: httpUrl,
    /** ntfy only. */
    topic: z.string().regex(NTFY_TOPIC, 'A topic is 1 to 64 letters, digits, - or _').optional(),
    /** The target's secret (see above); absent when it has none, or when it could not be kept across a restart. */
    secret: z.string().max(4000).optional(),
    events: forwardEventsSchema.default({ done: true, failed: true, queueFinished: false, serverOffline: true }),
  })
  .superRefine((target, ctx) => {
    if (target.kind === 'ntfy' && target.topic === undefined) ctx.addIssue({ code: 'custom', path: ['topic'], message: 'ntfy needs a topic' });
    if (target.kind !== 'ntfy' && target.topic !== undefined) ctx.addIssue({ code: 'custom', path: ['topic'], message: 'Only ntfy has a topic' });
    if (urlIsSecret(target.kind) && target.secret !== undefined) {
      if (!isHttpUrl(target.secret)) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'The webhook URL must be an http:// or https:// URL' });
      else if (originOf(target.secret) !== originOf(target.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'The URL does not match the webhook URL' });
    }
  });

export type ForwardTarget = z.output<typeof forwardTargetSchema>;
export type ForwardTargetInput = z.input<typeof forwardTargetSchema>;

export const forwardTargetsSchema = z
  .array(forwardTargetSchema)
  .max(20)
  .refine((list) => new Set(list.map((target) => target.id)).size === list.length, { message: 'Forwarding target ids must be unique' });

/** Discord and Slack put the credential in the webhook URL's path: the whole URL is the secret. */
export function urlIsSecret(kind: ForwardKind): boolean {
  return kind === 'discord' || kind === 'slack';
}

/** A target can send: the secret its kind cannot do without is there (a Discord or Slack URL). */
export function missingSecret(target: ForwardTarget): boolean {
  return urlIsSecret(target.kind) && target.secret === undefined;
}

/** The target as the settings file keeps it: no secret, a Discord/Slack URL reduced to its origin. */
export function storedTarget(target: ForwardTarget): { target: ForwardTarget; secret?: string } {
  const { secret, ...rest } = target;
  return secret === undefined ? { target: rest } : { target: rest, secret };
}

/** For a Discord or Slack target typed in full: its `url` is the webhook URL's origin, the URL itself the secret. */
export function withSecretUrl(target: ForwardTargetInput, webhookUrl: string): ForwardTargetInput {
  return { ...target, url: isHttpUrl(webhookUrl) ? originOf(webhookUrl) : target.url, secret: webhookUrl };
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `https://discord.com/` for any URL on that origin. */
export function originOf(text: string): string {
  try {
    return `${new URL(text).origin}/`;
  } catch {
    return text;
  }
}
