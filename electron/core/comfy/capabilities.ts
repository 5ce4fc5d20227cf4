// What a server can do, decided from its version and by probing routes (a server may be upgraded between
// connections, so this runs on every connect).
import { z } from 'zod';
import type { ServerCapabilities } from '../../shared/app-state.js';
import { ComfyTrayError, HttpStatusError } from '../errors.js';
import type { ComfyHttp } from './http-client.js';

const systemStats = z.object({
  system: z.object({ comfyui_version: z.string().optional() }).partial().optional(),
});
const promptInfo = z.object({ exec_info: z.object({ queue_remaining: z.number() }) });

export interface ServerIdentity {
  readonly version?: string;
  readonly capabilities: ServerCapabilities;
}

export async function probeServer(http: ComfyHttp, timeoutMs: number): Promise<ServerIdentity> {
  const version = await readVersion(http, timeoutMs);
  const jobsApi = await hasJobsApi(http, timeoutMs);
  return {
    ...(version !== undefined && { version }),
    capabilities: {
      jobsApi,
      // Unknown versions that have the jobs API are assumed current; a 404 on cancel turns this off (see backend).
      cancelEndpoint: jobsApi && (version === undefined || versionAtLeast(version, '0.26.0')),
      targetedInterrupt: version === undefined ? jobsApi : versionAtLeast(version, '0.3.57'),
      supportsPreviewMetadata: false,
    },
  };
}

async function readVersion(http: ComfyHttp, timeoutMs: number): Promise<string | undefined> {
  try {
    const parsed = systemStats.safeParse(await http.getJson('api/system_stats', undefined, { timeoutMs }));
    if (!parsed.success) throw incompatible('its /system_stats is not what ComfyUI sends');
    return parsed.data.system?.comfyui_version;
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) {
      // Very old servers lack /system_stats; anything that answers /prompt like ComfyUI is still usable.
      const info = promptInfo.safeParse(await http.getJson('api/prompt', undefined, { timeoutMs }).catch(() => undefined));
      if (info.success) return undefined;
      throw incompatible('it has neither /system_stats nor /prompt');
    }
    if (error instanceof ComfyTrayError && error.code === 'COMFY_BAD_RESPONSE') throw incompatible('it does not answer with JSON');
    throw error;
  }
}

async function hasJobsApi(http: ComfyHttp, timeoutMs: number): Promise<boolean> {
  try {
    const body = await http.getJson('api/jobs', { limit: 1 }, { timeoutMs });
    return body !== null && typeof body === 'object' && Array.isArray((body as { jobs?: unknown }).jobs);
  } catch (error) {
    if (error instanceof HttpStatusError && error.code === 'COMFY_AUTH_FAILED') throw error;
    if (error instanceof ComfyTrayError && (error.code === 'COMFY_UNREACHABLE' || error.code === 'COMFY_TIMEOUT')) throw error;
    return false;
  }
}

function incompatible(why: string): ComfyTrayError {
  return new ComfyTrayError('COMFY_INCOMPATIBLE', `This does not look like a ComfyUI server: ${why}`);
}

/** Compares dotted versions numerically ("0.3.9" < "0.3.57"); anything unparsable counts as current. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parse = (v: string): number[] | undefined => {
    const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
    return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
  };
  const a = parse(version);
  const b = parse(minimum);
  if (!a || !b) return true;
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return true;
}
