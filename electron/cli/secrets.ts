// The hosted services' secrets, read from the environment only: a command line shows in `ps` to every user of the
// machine. Validated at the boundary; never printed, logged or written (the journal keeps server ids, not keys).
import { z } from 'zod';
import { ComfyTrayError } from '../core/errors.js';
import { SECRET_VARIABLES, type HostedKind } from './args.js';

const secretValue = z.string().trim().min(1).max(4096).regex(/^[\x21-\x7e]+$/, 'printable characters without spaces');

/** The secret for a hosted kind; CLI_USAGE naming the variable (never a value) when it is missing or malformed. */
export function hostedSecret(kind: HostedKind, env: Readonly<Record<string, string | undefined>>): string {
  const variable = SECRET_VARIABLES[kind];
  const raw = env[variable];
  const service = kind === 'comfy-cloud' ? 'Comfy Cloud API key' : 'ComfyControl API token';
  if (raw === undefined || raw.trim() === '') {
    throw new ComfyTrayError('CLI_USAGE', `Set the environment variable ${variable} to your ${service}; it is never read from the command line.`);
  }
  const parsed = secretValue.safeParse(raw);
  if (!parsed.success) throw new ComfyTrayError('CLI_USAGE', `The ${service} in ${variable} is not usable (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
  return parsed.data;
}
