// The forwarding targets part of the Settings form: a draft of each target (its secret never included, only whether one
// is stored), checked as the user types with the core schema's rules, and turned into what Save and "Send test" send.
// A stored secret is sent back as the `keep` marker, and only beside the URL it was saved for.
import type { ForwardEventsView, ForwardTargetInput, ForwardTargetView, ForwardTestResult } from '../../electron/shared/ipc-contract.js';

export type ForwardKindName = ForwardTargetView['kind'];
export type ForwardTestState = { readonly status: 'running' } | { readonly status: 'done'; readonly result: ForwardTestResult };

export interface ForwardTargetForm {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  readonly kind: ForwardKindName;
  readonly enabled: boolean;
  /** ntfy: the server; webhook: where to POST; Discord/Slack: the stored URL's origin (the URL itself is the secret). */
  readonly url: string;
  readonly topic: string;
  readonly events: ForwardEventsView;
  /** What the user typed: ntfy's token, the webhook's signing secret, or the Discord/Slack webhook URL. */
  readonly secret: string;
  /** A secret is stored (and the user has not asked to forget it). */
  readonly hasSecret: boolean;
  /** The URL the stored secret was saved for. */
  readonly originalUrl: string;
}

export const FORWARD_KIND_NAMES: Readonly<Record<ForwardKindName, string>> = { ntfy: 'ntfy', webhook: 'Webhook', discord: 'Discord', slack: 'Slack' };
export const FORWARD_EVENT_NAMES: Readonly<Record<keyof ForwardEventsView, string>> = { done: 'Done', failed: 'Failed', queueFinished: 'Queue finished', serverOffline: 'Server offline' };
export const FORWARD_EVENTS: readonly (keyof ForwardEventsView)[] = ['done', 'failed', 'queueFinished', 'serverOffline'];

/** What the secret field is for each kind, and whether a target cannot do without it. */
export const SECRET_FIELD: Readonly<Record<ForwardKindName, { readonly label: string; readonly required: boolean }>> = {
  ntfy: { label: 'Access token (optional)', required: false },
  webhook: { label: 'Signing secret (optional: HMAC-SHA256 of the body)', required: false },
  discord: { label: 'Webhook URL', required: true },
  slack: { label: 'Webhook URL', required: true },
};

const DEFAULT_URL: Readonly<Record<ForwardKindName, string>> = { ntfy: 'https://ntfy.sh', webhook: '', discord: '', slack: '' };
const NTFY_TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

let nextKey = 0;
const newKey = (): string => `f${++nextKey}`;

/** Discord and Slack put the credential in the webhook URL: the URL is typed as the secret. */
export function urlIsSecret(kind: ForwardKindName): boolean {
  return kind === 'discord' || kind === 'slack';
}

export function targetForms(views: readonly ForwardTargetView[]): ForwardTargetForm[] {
  return views.map((view) => ({
    key: newKey(),
    id: view.id,
    name: view.name,
    kind: view.kind,
    enabled: view.enabled,
    url: view.url,
    topic: view.topic ?? '',
    events: view.events,
    secret: '',
    hasSecret: view.hasSecret,
    originalUrl: view.url,
  }));
}

export function newTarget(kind: ForwardKindName, existing: readonly ForwardTargetForm[]): ForwardTargetForm {
  const ids = new Set(existing.map((target) => target.id));
  let id: string = kind;
  for (let n = 2; ids.has(id); n++) id = `${kind}-${n}`;
  return {
    key: newKey(),
    id,
    name: FORWARD_KIND_NAMES[kind],
    kind,
    enabled: true,
    url: DEFAULT_URL[kind],
    topic: '',
    events: { done: true, failed: true, queueFinished: false, serverOffline: true },
    secret: '',
    hasSecret: false,
    originalUrl: '',
  };
}

/** The stored secret is kept: nothing new typed, and (for ntfy and webhooks) the URL it was saved for unchanged. */
export function keepsTargetSecret(target: ForwardTargetForm): boolean {
  return target.secret === '' && target.hasSecret && (urlIsSecret(target.kind) || target.url.trim() === target.originalUrl);
}

function httpUrlProblem(text: string, what: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return `Enter the ${what}`;
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'Use an http:// or https:// URL';
  } catch {
    return 'Not a valid URL';
  }
}

/** Problems by field (`forwarding.<key>.url`…); empty when every target can be saved. */
export function validateTargets(targets: readonly ForwardTargetForm[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const set = (target: ForwardTargetForm, field: string, problem: string | undefined): void => {
    if (problem) errors[`forwarding.${target.key}.${field}`] = problem;
  };
  for (const target of targets) {
    set(target, 'name', target.name.trim() === '' ? 'Enter a name' : target.name.trim().length > 100 ? 'Use at most 100 characters' : undefined);
    if (urlIsSecret(target.kind)) {
      if (target.secret !== '') set(target, 'secret', httpUrlProblem(target.secret, 'webhook URL'));
      else if (!target.hasSecret) set(target, 'secret', `Enter the ${FORWARD_KIND_NAMES[target.kind]} webhook URL`);
      continue;
    }
    set(target, 'url', httpUrlProblem(target.url, target.kind === 'ntfy' ? 'ntfy server URL' : 'webhook URL'));
    if (target.kind === 'ntfy') set(target, 'topic', NTFY_TOPIC.test(target.topic) ? undefined : 'A topic is 1 to 64 letters, digits, - or _');
    if (target.secret === '' && target.hasSecret && !keepsTargetSecret(target)) {
      set(target, 'secret', `The URL changed: enter the ${target.kind === 'ntfy' ? 'token' : 'signing secret'} again, or forget it`);
    }
  }
  if (targets.length > 20) errors.forwarding = 'At most 20 forwarding targets';
  return errors;
}

/** What Save (and "Send test") sends for a target. */
export function targetInput(target: ForwardTargetForm): ForwardTargetInput {
  const secret = target.secret !== '' ? target.secret.trim() : keepsTargetSecret(target) ? ({ keep: true } as const) : undefined;
  return {
    id: target.id,
    name: target.name.trim(),
    kind: target.kind,
    enabled: target.enabled,
    url: urlIsSecret(target.kind) ? target.originalUrl : target.url.trim(),
    ...(target.kind === 'ntfy' && { topic: target.topic.trim() }),
    events: target.events,
    ...(secret !== undefined && { secret }),
  };
}
