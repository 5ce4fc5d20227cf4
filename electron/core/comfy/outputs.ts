// Output entries from a node's UI dict (`executed.output`, history `outputs`, jobs API `outputs`). Nodes list files
// under many keys (images, gifs, audio, video, latents, 3d, custom ones); a file entry is any object with a string
// `filename` and `type`. Text and flags (`text`, `animated`) are not files.
import type { OutputRef } from '../../shared/app-state.js';

const NOT_FILE_KEYS = new Set(['animated', 'text']);
const MODEL_3D = /\.(obj|fbx|gltf|glb|usdz|stl|ply)$/i;

export function outputsOfNode(nodeId: string, ui: unknown): OutputRef[] {
  if (ui === null || typeof ui !== 'object' || Array.isArray(ui)) return [];
  const record = ui as Record<string, unknown>;
  // `animated` runs parallel to `images` (animated WebP/PNG, and core video savers list videos as images).
  const animated = Array.isArray(record.animated) ? record.animated : [];
  const refs: OutputRef[] = [];
  for (const [kind, value] of Object.entries(record)) {
    if (NOT_FILE_KEYS.has(kind) || !Array.isArray(value)) continue;
    value.forEach((entry: unknown, index) => {
      const ref = toRef(nodeId, kind, index, entry, kind === 'images' && animated[index] === true);
      if (ref) refs.push(ref);
    });
  }
  return refs;
}

export function outputsOfJob(outputs: unknown): OutputRef[] {
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) return [];
  return Object.entries(outputs as Record<string, unknown>).flatMap(([nodeId, ui]) => outputsOfNode(nodeId, ui));
}

/** Same file (server-side identity): the unit of de-duplication across events and records. */
export function outputKey(ref: Pick<OutputRef, 'nodeId' | 'type' | 'subfolder' | 'filename'>): string {
  return `${ref.nodeId}\u0000${ref.type}\u0000${ref.subfolder}\u0000${ref.filename}`;
}

export function mergeOutputs(a: readonly OutputRef[], b: readonly OutputRef[]): OutputRef[] {
  const seen = new Set(a.map(outputKey));
  return [...a, ...b.filter((ref) => !seen.has(outputKey(ref)))];
}

function toRef(nodeId: string, kind: string, index: number, entry: unknown, animated: boolean): OutputRef | undefined {
  if (typeof entry === 'string') {
    // Older 3D nodes list bare file names (the jobs API normalises these the same way).
    return MODEL_3D.test(entry) ? { nodeId, kind, index, filename: entry, subfolder: '', type: 'output' } : undefined;
  }
  if (entry === null || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e.filename !== 'string' || e.filename === '' || typeof e.type !== 'string') return undefined;
  return {
    nodeId,
    kind,
    index,
    filename: e.filename,
    subfolder: typeof e.subfolder === 'string' ? e.subfolder : '',
    type: e.type,
    ...(animated && { animated }),
    ...(typeof e.format === 'string' && { format: e.format }),
  };
}
