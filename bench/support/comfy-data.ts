// What a busy ComfyUI server sends, shaped like the recorded 0.28.0 transcripts (test/fixtures/comfyui-real):
// the same fields in the same order, for an SDXL-style text-to-image prompt, so parse costs are realistic.
import { randomBytes } from 'node:crypto';

export const SENTINEL_QUEUE = 987_654;

const POSITIVE =
  'masterpiece, best quality, ultra-detailed photograph of a lighthouse on a rocky cliff at golden hour, dramatic clouds, ' +
  'crashing waves, volumetric light, 35mm lens, shallow depth of field, film grain, highly detailed textures, ' +
  'cinematic color grading, award-winning composition, sharp focus, intricate details, warm rim light';
const NEGATIVE = 'lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, fewer digits, cropped, worst quality, low quality, jpeg artifacts, watermark, blurry';

/** An API-format prompt of 2.1–4.9 KB (varies with `i`): what /queue carries for every queued item. */
export function realisticPrompt(i: number): Record<string, unknown> {
  const node = (class_type: string, title: string, inputs: Record<string, unknown>): Record<string, unknown> => ({
    inputs,
    class_type,
    _meta: { title },
  });
  // Pasted style text of 0 to 2.7 KB: prompts range from about 2.1 to 4.9 KB, like a real mixed queue.
  const extra = `, ${POSITIVE}, ${NEGATIVE}`.repeat(8).slice(0, (i % 10) * 300);
  return {
    '3': node('KSampler', 'KSampler', {
      seed: 156680208700286 + i,
      steps: 30,
      cfg: 7,
      sampler_name: 'dpmpp_2m',
      scheduler: 'karras',
      denoise: 1,
      model: ['11', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      latent_image: ['5', 0],
    }),
    '4': node('CheckpointLoaderSimple', 'Load Checkpoint', { ckpt_name: 'sd_xl_base_1.0.safetensors' }),
    '5': node('EmptyLatentImage', 'Empty Latent Image', { width: 1024, height: 1024, batch_size: 1 }),
    '6': node('CLIPTextEncode', 'CLIP Text Encode (Prompt)', { text: `${POSITIVE}, variation ${i}${extra}`, clip: ['11', 1] }),
    '7': node('CLIPTextEncode', 'CLIP Text Encode (Negative)', { text: NEGATIVE, clip: ['11', 1] }),
    '8': node('VAEDecode', 'VAE Decode', { samples: ['3', 0], vae: ['4', 2] }),
    '9': node('SaveImage', 'Save Image', { filename_prefix: `batch/${i % 50}/ComfyUI`, images: ['13', 0] }),
    '10': node('LoraLoader', 'Load LoRA', { lora_name: 'add-detail-xl.safetensors', strength_model: 0.8, strength_clip: 0.8, model: ['4', 0], clip: ['4', 1] }),
    '11': node('LoraLoader', 'Load LoRA', { lora_name: 'lighthouse-style-v2.safetensors', strength_model: 0.6, strength_clip: 0.6, model: ['10', 0], clip: ['10', 1] }),
    '12': node('UpscaleModelLoader', 'Load Upscale Model', { model_name: '4x-UltraSharp.pth' }),
    '13': node('ImageUpscaleWithModel', 'Upscale Image (using Model)', { upscale_model: ['12', 0], image: ['8', 0] }),
  };
}

/** A configured server's id (the app's are UUIDs): the n-th of a bench's servers. */
export function serverIdOf(n: number): string {
  return `5f0c2d1e-7a3b-4c5d-8e9f-${String(n).padStart(12, '0')}`;
}

/** Lowercase UUIDs that sort in creation order (the pending list is sorted by priority, then id). */
export function jobId(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `0b36a0c9-413e-485c-b646-${hex}`;
}

// ---- WebSocket frames ------------------------------------------------------------------------------------------

/** A complete unmasked server-to-client frame (FIN set), ready to be written to the TCP socket as is. */
export function encodeFrame(payload: Buffer, binary: boolean): Buffer {
  const opcode = binary ? 0x2 : 0x1;
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

export interface Frame {
  readonly bytes: Buffer;
  readonly binary: boolean;
}

const text = (type: string, data: unknown): Frame => ({ bytes: encodeFrame(Buffer.from(JSON.stringify({ type, data })), false), binary: false });

export function statusFrame(queueRemaining: number): Frame {
  return text('status', { status: { exec_info: { queue_remaining: queueRemaining } } });
}

/** PREVIEW_IMAGE_WITH_METADATA (type 4) of exactly `size` bytes: 8-byte header, metadata JSON, JPEG bytes. */
export function previewFrame(promptId: string, nodeId: string, size = 16 * 1024): Frame {
  const meta = Buffer.from(
    JSON.stringify({ node_id: nodeId, prompt_id: promptId, display_node_id: nodeId, parent_node_id: null, real_node_id: nodeId, image_type: 'image/jpeg' }),
  );
  const head = Buffer.alloc(8);
  head.writeUInt32BE(4, 0);
  head.writeUInt32BE(meta.length, 4);
  const image = randomBytes(Math.max(0, size - 8 - meta.length));
  image.writeUInt32BE(0xffd8ffe0, 0);
  return { bytes: encodeFrame(Buffer.concat([head, meta, image]), true), binary: true };
}

const EXECUTION_ORDER = ['4', '10', '11', '6', '7', '5', '3', '8', '12', '13', '9'];

/** One sampler node run as 0.28.0 reports it: status, progress_state/executing, then per step progress_state +
 * progress (+ a preview), then the output node's `executed`. ~45 text frames per cycle (65 with previews). */
export function samplerCycle(promptId: string, options: { previews: boolean; steps?: number }): Frame[] {
  const steps = options.steps ?? 20;
  const done = EXECUTION_ORDER.slice(0, 6);
  const nodeState = (id: string, value: number, max: number, state: string): Record<string, unknown> => ({
    value,
    max,
    state,
    node_id: id,
    prompt_id: promptId,
    display_node_id: id,
    parent_node_id: null,
    real_node_id: id,
  });
  const snapshot = (value: number): Frame => {
    const nodes: Record<string, unknown> = {};
    for (const id of done) nodes[id] = nodeState(id, 1, 1, 'finished');
    nodes['3'] = nodeState('3', value, steps, 'running');
    return text('progress_state', { prompt_id: promptId, nodes });
  };
  const frames: Frame[] = [statusFrame(3), snapshot(0), text('executing', { node: '3', display_node: '3', prompt_id: promptId })];
  const preview = options.previews ? previewFrame(promptId, '3') : undefined;
  for (let step = 1; step <= steps; step++) {
    frames.push(snapshot(step), text('progress', { value: step, max: steps, prompt_id: promptId, node: '3' }));
    if (preview) frames.push(preview);
  }
  frames.push(
    text('executed', {
      node: '9',
      display_node: '9',
      output: { images: [{ filename: 'ComfyUI_00042_.png', subfolder: 'batch/7', type: 'output' }] },
      prompt_id: promptId,
    }),
  );
  return frames;
}

/** `count` frames taken cyclically from `cycle`, grouped into ~256 KB chunks; whole-cycle chunks are reused
 * (the same Buffer written again) so a gigabyte stream costs the server no memory. Ends with the sentinel. */
export function* chunks(cycle: readonly Frame[], count: number): Generator<Buffer> {
  const perChunk: Buffer[] = [];
  let bytes = 0;
  while (bytes < 256 * 1024 || perChunk.length % cycle.length !== 0) {
    const frame = cycle[perChunk.length % cycle.length]!;
    perChunk.push(frame.bytes);
    bytes += frame.bytes.length;
  }
  const chunk = Buffer.concat(perChunk);
  let sent = 0;
  for (; sent + perChunk.length <= count; sent += perChunk.length) yield chunk;
  const rest: Buffer[] = [];
  for (let i = 0; sent < count; i++, sent++) rest.push(cycle[i % cycle.length]!.bytes);
  rest.push(statusFrame(SENTINEL_QUEUE).bytes);
  yield Buffer.concat(rest);
}

export function describeCycle(cycle: readonly Frame[]): { textFrames: number; binaryFrames: number; avgTextBytes: number } {
  const textFrames = cycle.filter((f) => !f.binary);
  return {
    textFrames: textFrames.length,
    binaryFrames: cycle.length - textFrames.length,
    avgTextBytes: textFrames.reduce((sum, f) => sum + f.bytes.length, 0) / Math.max(1, textFrames.length),
  };
}
