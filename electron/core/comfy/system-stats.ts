// A server's machine at a glance from GET /system_stats: its first compute device (cleaned of the allocator suffix
// ComfyUI adds) with its memory, and the RAM. Lenient: a field the server leaves out is simply not shown.
import { z } from 'zod';
import type { ServerHealth } from '../../shared/app-state.js';

const bytes = z.number().finite().nonnegative();
const systemStatsSchema = z.object({
  system: z.object({ ram_total: bytes.optional(), ram_free: bytes.optional() }).partial().optional(),
  devices: z
    .array(
      z.object({
        name: z.string().optional(),
        type: z.string().optional(),
        vram_total: bytes.optional(),
        vram_free: bytes.optional(),
      }),
    )
    .optional(),
});

export function healthFromSystemStats(body: unknown, at: number): ServerHealth {
  const parsed = systemStatsSchema.safeParse(body);
  if (!parsed.success) return { at };
  const { system, devices } = parsed.data;
  const device = devices?.[0];
  const used = (total: number | undefined, free: number | undefined): number | undefined => (total !== undefined && free !== undefined ? Math.max(0, total - free) : undefined);
  const vramUsed = used(device?.vram_total, device?.vram_free);
  const ramUsed = used(system?.ram_total, system?.ram_free);
  const name = device?.name !== undefined ? deviceName(device.name, device.type) : undefined;
  return {
    ...(name !== undefined && { device: name }),
    ...(device?.type !== undefined && { deviceType: device.type }),
    ...(vramUsed !== undefined && device?.vram_total !== undefined && { vramUsed, vramTotal: device.vram_total }),
    ...(ramUsed !== undefined && system?.ram_total !== undefined && { ramUsed, ramTotal: system.ram_total }),
    at,
  };
}

/** "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync" → "NVIDIA GeForce RTX 4090"; "cpu" → "CPU". */
export function deviceName(raw: string, type: string | undefined): string {
  const name = raw
    .replace(/^[a-z]+:\d+\s+/i, '')
    .replace(/\s+:\s+\S+$/, '')
    .trim()
    .slice(0, 120);
  if (name === '' || name.toLowerCase() === 'cpu') return type === 'cpu' || name.toLowerCase() === 'cpu' ? 'CPU' : raw.slice(0, 120);
  return name;
}
