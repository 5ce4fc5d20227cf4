// Saved widget values that the editor's load step rewrites before anything is queued (ComfyUI_frontend's
// loadGraphData, unchanged since ComfyUI's own web/scripts/app.js of 2023), so an old workflow converts to the
// prompt the editor queued for it rather than being refused.
const SAMPLER_NODES: ReadonlySet<string> = new Set(['KSampler', 'KSamplerAdvanced']);

/**
 * A saved value as the editor holds it after loading: KSampler sampler names saved before ComfyUI dropped their
 * `sample_` prefix (early 2023) lose it. Anything else is the value itself.
 */
export function loadedValue(nodeType: string, input: string, value: unknown): unknown {
  if (SAMPLER_NODES.has(nodeType) && input === 'sampler_name' && typeof value === 'string' && value.startsWith('sample_')) return value.slice('sample_'.length);
  return value;
}
