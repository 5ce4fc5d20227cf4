// Shared by the queue-steering tests: prompts with a 64-bit seed, the server's queue order as it will run, and waiting
// for the simulator's own events.
import type { ComfySimulator } from './comfy-simulator.js';

export const SEED = 18446744073709551615n;
export const SEED_TEXT = '18446744073709551615';
export const BROWSER_WORKFLOW = { extra: { ds: { scale: 1 } }, nodes: [{ id: 1, type: 'EmptyImage' }], links: [], version: 0.4 };

/** A simulator prompt named by its SaveImage prefix, with a seed no double can hold. */
export function seededPrompt(prefix: string, steps = 2): Record<string, unknown> {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 7 } },
    '2': { class_type: 'SimSteps', inputs: { steps, seed: SEED, image: ['1', 0] } },
    '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: prefix } },
  };
}

/** Pending prompt ids in the order the server will run them (its heap order: number, then prompt id). */
export async function pendingOrder(sim: ComfySimulator): Promise<string[]> {
  const body = (await (await fetch(`${sim.url}api/queue`)).json()) as { queue_pending: [number, string][] };
  return body.queue_pending
    .map(([number, id]) => ({ number, id }))
    .sort((a, b) => a.number - b.number || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((item) => item.id);
}

/** The raw text of the server's /queue: checks that a seed went back digit for digit. */
export async function queueText(sim: ComfySimulator): Promise<string> {
  return (await fetch(`${sim.url}api/queue`)).text();
}

export function simEvent(sim: ComfySimulator, event: string, promptId?: string, timeoutMs = 20_000): Promise<{ promptId: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sim.events.off(event, listener);
      reject(new Error(`timed out waiting for ${event} ${promptId ?? ''}`));
    }, timeoutMs);
    const listener = (payload: { promptId: string }): void => {
      if (promptId !== undefined && payload.promptId !== promptId) return;
      clearTimeout(timer);
      sim.events.off(event, listener);
      resolve(payload);
    };
    sim.events.on(event, listener);
  });
}

/** Counts the simulator's events per prompt id from now on (how often a prompt id was queued, started, finished). */
export function countEvents(sim: ComfySimulator, event: string): Map<string, number> {
  const counts = new Map<string, number>();
  sim.events.on(event, ({ promptId }: { promptId: string }) => counts.set(promptId, (counts.get(promptId) ?? 0) + 1));
  return counts;
}

/** The order in which the simulator emits an event, per prompt id. */
export function eventOrder(sim: ComfySimulator, event: string): string[] {
  const order: string[] = [];
  sim.events.on(event, ({ promptId }: { promptId: string }) => order.push(promptId));
  return order;
}
