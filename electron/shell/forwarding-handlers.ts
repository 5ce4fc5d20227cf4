// Forwarding targets from the Settings window: their secrets never come from the stored settings to the window, and go
// back into them only as they were (the `keep` marker), beside the URL they were saved for (SECRET_URL_CHANGED for
// another one: the window can never send a stored token or signing key to a URL of its choosing). "Send test" tries
// a target as it is in the form, with the same rule.
import { z } from 'zod';
import { ComfyTrayError } from '../core/errors.js';
import { FORWARD_KINDS, forwardTargetSchema, urlIsSecret, withSecretUrl, type ForwardTarget, type ForwardTargetInput as StoredInput } from '../core/notify/forward-settings.js';
import type { Forwarder } from '../core/notify/forwarder.js';
import { secretName } from '../core/store/forward-secrets.js';
import type { SettingsStore } from '../core/store/settings-store.js';
import type { ForwardTargetInput, ForwardTestResult } from '../shared/ipc-contract.js';
import type { ArgSchemas, Handlers } from './ipc.js';

export type ForwardingChannel = 'notifications:test-forward';

const text = z.string().max(4000);
const flag = z.boolean();

/** The shape of a target from the window; its values are checked by the core schema, which names the field. */
export const forwardTargetInputSchema = z
  .object({
    id: z.string().max(100),
    name: z.string().max(200),
    kind: z.enum(FORWARD_KINDS),
    enabled: flag,
    url: text,
    topic: z.string().max(200).optional(),
    events: z.object({ done: flag, failed: flag, queueFinished: flag, serverOffline: flag }).strict(),
    secret: z.union([text, z.object({ keep: z.literal(true) }).strict()]).optional(),
  })
  .strict();

/**
 * A target from the window as the settings take it: a typed secret as typed (a Discord or Slack URL also gives the
 * target its origin), the marker replaced by the stored secret of the same target and kind, or none.
 */
export function restoreTarget(input: ForwardTargetInput, stored: readonly ForwardTarget[]): StoredInput {
  const { secret, ...rest } = input;
  if (secret === undefined) return rest;
  if (typeof secret === 'string') return urlIsSecret(input.kind) ? withSecretUrl(rest, secret) : { ...rest, secret };
  const same = stored.find((target) => target.id === input.id && target.kind === input.kind && target.secret !== undefined);
  if (same?.secret === undefined) return rest;
  // For Discord and Slack the secret is the URL itself: the URL the window shows (the origin) cannot send it elsewhere.
  if (urlIsSecret(input.kind)) return { ...rest, url: same.url, secret: same.secret };
  if (same.url !== input.url.trim()) {
    throw new ComfyTrayError('SECRET_URL_CHANGED', `The URL of ${same.name} changed: enter its ${secretName(same)} again (a saved one only goes to the URL it was saved for)`);
  }
  return { ...rest, secret: same.secret };
}

/** The whole list from a patch, shape-checked here and value-checked by the store's schema. */
export function restoreTargets(value: unknown, stored: readonly ForwardTarget[]): StoredInput[] {
  const parsed = z.array(forwardTargetInputSchema).max(20).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ComfyTrayError('CONFIG_INVALID', `notifications.forwarding${issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.map((input) => restoreTarget(input, stored));
}

export function forwardingHandlers(deps: { settings: SettingsStore; forwarder: Pick<Forwarder, 'test'> }): {
  handlers: Pick<Handlers, ForwardingChannel>;
  schemas: Pick<ArgSchemas, ForwardingChannel>;
} {
  return {
    handlers: {
      'notifications:test-forward': async (input): Promise<ForwardTestResult> => {
        let target: ForwardTarget;
        try {
          const parsed = forwardTargetSchema.safeParse(restoreTarget(input, deps.settings.current.notifications.forwarding));
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            return { ok: false, code: 'CONFIG_INVALID', message: `${issue?.path.join('.') || 'target'}: ${issue?.message ?? 'invalid'}` };
          }
          target = parsed.data;
        } catch (error) {
          if (error instanceof ComfyTrayError && error.code === 'SECRET_URL_CHANGED') return { ok: false, code: error.code, message: error.message };
          throw error;
        }
        const outcome = await deps.forwarder.test(target);
        return outcome.ok ? { ok: true } : { ok: false, code: outcome.code, message: outcome.message };
      },
    },
    schemas: {
      'notifications:test-forward': z.tuple([forwardTargetInputSchema]) as unknown as ArgSchemas['notifications:test-forward'],
    },
  };
}
