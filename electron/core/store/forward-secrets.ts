// The secrets of forwarding targets (ntfy tokens, webhook signing keys, Discord and Slack webhook URLs) at rest: kept
// apart from the settings, written only through the SecretProtector (the OS keychain), as server credentials are. A
// secret comes back only beside the URL it was saved for: a settings file edited to send it elsewhere loses it.
import { forwardTargetSchema, storedTarget, urlIsSecret, type ForwardTarget } from '../notify/forward-settings.js';
import type { KeyValueStore, SecretProtector } from './kv-store.js';
import type { Settings } from './settings-schema.js';

const FORWARD_SECRETS_KEY = 'forward-secrets';

interface StoredSecret {
  /** The protected secret. */
  readonly secret: string;
  /** The URL (and ntfy topic) it was saved for. */
  readonly url: string;
}

/** The settings as written to disk: no target carries its secret. */
export function withoutForwardSecrets(settings: Settings): Settings {
  return { ...settings, notifications: { ...settings.notifications, forwarding: settings.notifications.forwarding.map((target) => storedTarget(target).target) } };
}

/** Writes each target's secret through the protector (or keeps it for this run only, with a warning). */
export async function storeForwardSecrets(kv: KeyValueStore, protector: SecretProtector, settings: Settings, unavailable: string): Promise<string[]> {
  const warnings: string[] = [];
  const stored: Record<string, StoredSecret> = {};
  for (const target of settings.notifications.forwarding) {
    const { secret } = storedTarget(target);
    if (secret === undefined) continue;
    if (protector.available) stored[target.id] = { secret: protector.protect(secret), url: target.url };
    else warnings.push(`${unavailable}: the ${secretName(target)} for forwarding to ${target.name} is kept until the app quits only.`);
  }
  await kv.set(FORWARD_SECRETS_KEY, stored);
  return warnings;
}

/**
 * The settings with each target's secret put back. `rewrite` when secrets were read that must leave the disk (written
 * by a weak protection, or for another URL); the caller then stores the settings again.
 */
export function revealForwardSecrets(kv: KeyValueStore, protector: SecretProtector, settings: Settings): { settings: Settings; warnings: string[]; rewrite: boolean } {
  const stored = storedSecrets(kv);
  const warnings: string[] = [];
  let rewrite = false;
  const forwarding = settings.notifications.forwarding.map((target): ForwardTarget => {
    // Typed into the settings file by hand: it moves to the keychain (and off the file) now.
    if (target.secret !== undefined) {
      rewrite = true;
      return target;
    }
    const saved = stored[target.id];
    if (saved === undefined) {
      if (urlIsSecret(target.kind)) warnings.push(`The webhook URL for forwarding to ${target.name} is not available; enter it again in Settings.`);
      return target;
    }
    if (saved.url !== target.url) {
      rewrite = true;
      warnings.push(`The ${secretName(target)} for forwarding to ${target.name} was saved for another URL and was removed; enter it again in Settings.`);
      return target;
    }
    try {
      const revealed = forwardTargetSchema.safeParse({ ...target, secret: protector.reveal(saved.secret) });
      if (!revealed.success) throw new Error('not a secret for this target');
      if (!protector.available) rewrite = true;
      return revealed.data;
    } catch {
      rewrite = true;
      warnings.push(`The ${secretName(target)} for forwarding to ${target.name} could not be read; enter it again in Settings.`);
      return target;
    }
  });
  return { settings: { ...settings, notifications: { ...settings.notifications, forwarding } }, warnings, rewrite };
}

export function secretName(target: Pick<ForwardTarget, 'kind'>): string {
  return { ntfy: 'access token', webhook: 'signing secret', discord: 'webhook URL', slack: 'webhook URL' }[target.kind];
}

function storedSecrets(kv: KeyValueStore): Record<string, StoredSecret> {
  const value = kv.get(FORWARD_SECRETS_KEY);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const found: Record<string, StoredSecret> = {};
  for (const [id, entry] of Object.entries(value)) {
    if (entry !== null && typeof entry === 'object' && typeof (entry as StoredSecret).secret === 'string' && typeof (entry as StoredSecret).url === 'string') {
      found[id] = { secret: (entry as StoredSecret).secret, url: (entry as StoredSecret).url };
    }
  }
  return found;
}
