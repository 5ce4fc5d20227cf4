// What each node class does when it runs: values it produces, progress it reports, files it saves.
// Real classes get the behaviour observed in the fixtures; every other class runs instantly (with progress when
// it has a numeric `steps` input, like KSampler). Simulator classes: SimSteps, SimRaise, SimBlock, SimOutput.
import { posix } from 'node:path';
import { isNumeric, pyDumps, pyStr, toNumber } from './json.js';
import { animatedWebp, encodePng, tinyJpeg } from './images.js';
import { resolveSavePath, type OutputStore } from './storage.js';
import type { JsonObject, UiOutput } from './types.js';

export interface ImageValue {
  kind: 'image';
  width: number;
  height: number;
  batch: number;
  color: number;
}

export type NodeValue = ImageValue | { kind: 'opaque'; type: string };

export interface Preview {
  format: 'PNG' | 'JPEG';
  bytes: Buffer;
}

export interface NodeRunContext {
  id: string;
  classType: string;
  inputs: JsonObject;
  /** Values arriving through links, by input name. */
  linked: Map<string, NodeValue>;
  returnTypes: unknown[];
  prompt: JsonObject;
  extraData: JsonObject;
  store: OutputStore;
  stepDelayMs: number;
  previews: boolean;
  /** The progress hook: interrupt check, progress_state, progress, preview frames. */
  step(value: number, max: number, preview?: Preview): Promise<void>;
  /** Simulated work (abortable). */
  sleep(ms: number): Promise<void>;
  /** Sends the non-terminal ExecutionBlocked execution_error. */
  blocked(message: string): void;
  /** PreviewImage's per-instance random suffix ("_temp_abcde"). */
  previewSuffix(): string;
}

export interface NodeResult {
  outputs: NodeValue[];
  ui?: UiOutput;
}

export class NodeException extends Error {
  constructor(
    readonly exceptionType: string,
    message: string,
    readonly traceback: string[],
  ) {
    super(message);
  }
}

const DEFAULT_IMAGE: ImageValue = { kind: 'image', width: 64, height: 64, batch: 1, color: 0 };

function num(value: unknown, fallback: number): number {
  const n = toNumber(value);
  return n === undefined || !Number.isFinite(n) ? fallback : n;
}

function firstImage(ctx: NodeRunContext, name?: string): ImageValue {
  const pick = name ? ctx.linked.get(name) : [...ctx.linked.values()].find((v) => v.kind === 'image');
  return pick?.kind === 'image' ? pick : DEFAULT_IMAGE;
}

function outputsFor(ctx: NodeRunContext, image: ImageValue): NodeValue[] {
  return ctx.returnTypes.map((t) => (t === 'IMAGE' ? image : { kind: 'opaque', type: String(t) }));
}

async function steps(ctx: NodeRunContext, count: number, first: number, delayMs = ctx.stepDelayMs): Promise<void> {
  const jpeg = ctx.previews ? { format: 'JPEG' as const, bytes: tinyJpeg() } : undefined;
  for (let k = first; k < first + count; k++) {
    await ctx.sleep(delayMs);
    await ctx.step(k, count, jpeg);
  }
}

function traceback(frames: [string, number, string, string][]): string[] {
  return frames.map(([file, line, fn, code]) => `  File "/srv/comfyui/ComfyUI/${file}", line ${line}, in ${fn}\n    ${code}\n`);
}

function pngMetadata(ctx: NodeRunContext): [string, string][] {
  const text: [string, string][] = [['prompt', pyDumps(ctx.prompt)]];
  const extra = ctx.extraData.extra_pnginfo;
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [key, value] of Object.entries(extra)) text.push([key, pyDumps(value)]);
  }
  return text;
}

function saveImages(ctx: NodeRunContext, prefix: string, type: 'output' | 'temp'): UiOutput {
  const image = firstImage(ctx, 'images');
  let path;
  try {
    path = resolveSavePath(prefix, image.width, image.height);
  } catch (ex) {
    throw new NodeException(
      'Exception',
      (ex as Error).message,
      traceback([
        ['execution.py', 304, 'process_inputs', 'result = f(**inputs)'],
        ['nodes.py', 1678, 'save_images', 'full_output_folder, filename, counter, subfolder, filename_prefix = folder_paths.get_save_image_path(...)'],
        ['folder_paths.py', 539, 'get_save_image_path', 'raise Exception(err)'],
      ]),
    );
  }
  let counter = ctx.store.nextCounter(type, path.subfolder, path.filename);
  const results: unknown[] = [];
  for (let batch = 0; batch < image.batch; batch++) {
    const filename = `${path.filename.replaceAll('%batch_num%', String(batch))}_${String(counter).padStart(5, '0')}_.png`;
    ctx.store.put(type, path.subfolder, filename, encodePng({ width: image.width, height: image.height, color: image.color, text: pngMetadata(ctx) }));
    results.push({ filename, subfolder: path.subfolder, type });
    counter++;
  }
  return { images: results };
}

function simOutput(ctx: NodeRunContext): UiOutput {
  const key = typeof ctx.inputs.key === 'string' && ctx.inputs.key ? ctx.inputs.key : 'images';
  const type = typeof ctx.inputs.type === 'string' && ctx.inputs.type ? ctx.inputs.type : 'output';
  const subfolder = typeof ctx.inputs.subfolder === 'string' ? ctx.inputs.subfolder : '';
  const count = Math.max(0, Math.floor(num(ctx.inputs.count, 1)));
  const given = typeof ctx.inputs.filename === 'string' ? ctx.inputs.filename : '';
  const animated = ctx.inputs.animated === true;
  const image = firstImage(ctx);
  const items: unknown[] = [];
  let counter = ctx.store.nextCounter(type, subfolder, 'sim');
  for (let i = 0; i < count; i++) {
    let filename: string;
    if (!given) filename = `sim_${String(counter++).padStart(5, '0')}_.png`;
    else if (count === 1) filename = given;
    else {
      const ext = posix.extname(given);
      filename = `${given.slice(0, given.length - ext.length)}_${i + 1}${ext}`;
    }
    const lower = filename.toLowerCase();
    const bytes = ctx.store.contents.get(filename) ?? (lower.endsWith('.png')
      ? encodePng({ width: image.width, height: image.height, color: image.color, text: pngMetadata(ctx) })
      : animated && lower.endsWith('.webp')
        ? animatedWebp()
        : Buffer.from(`simulated ${type} file ${subfolder}/${filename}\n`));
    ctx.store.put(type, subfolder, filename, bytes);
    items.push({ filename, subfolder, type });
  }
  // SaveAnimatedWEBP / SaveVideo: the files under `images`, flagged by a parallel `animated` list.
  return { [key]: items, ...(animated && { animated: items.map(() => true) }) };
}

export async function runNode(ctx: NodeRunContext): Promise<NodeResult> {
  const inputs = ctx.inputs;
  switch (ctx.classType) {
    case 'EmptyImage': {
      const image: ImageValue = {
        kind: 'image',
        width: num(inputs.width, 512),
        height: num(inputs.height, 512),
        batch: Math.max(1, Math.floor(num(inputs.batch_size, 1))),
        color: num(inputs.color, 0),
      };
      return { outputs: [image] };
    }
    case 'ImageInvert': {
      const image = firstImage(ctx, 'image');
      return { outputs: [{ ...image, color: (~image.color >>> 0) & 0xffffff }] };
    }
    case 'ImageScale':
      return { outputs: [{ ...firstImage(ctx, 'image'), width: num(inputs.width, 512), height: num(inputs.height, 512) }] };
    case 'ColorTransfer': {
      const target = firstImage(ctx, 'image_target');
      await steps(ctx, target.batch, 1);
      return { outputs: [target] };
    }
    case 'SaveImage':
      return { outputs: outputsFor(ctx, firstImage(ctx, 'images')), ui: saveImages(ctx, typeof inputs.filename_prefix === 'string' ? inputs.filename_prefix : 'ComfyUI', 'output') };
    case 'PreviewImage':
      return { outputs: outputsFor(ctx, firstImage(ctx, 'images')), ui: saveImages(ctx, `ComfyUI${ctx.previewSuffix()}`, 'temp') };
    case 'SaveImageWebsocket': {
      const image = firstImage(ctx, 'images');
      const png = encodePng({ width: image.width, height: image.height, color: image.color });
      for (let k = 0; k < image.batch; k++) {
        await ctx.sleep(ctx.stepDelayMs);
        await ctx.step(k, image.batch, { format: 'PNG', bytes: png });
      }
      return { outputs: [], ui: {} };
    }
    case 'SimSteps':
      await steps(ctx, Math.max(0, Math.floor(num(inputs.steps, 0))), 1, Math.max(0, num(inputs.stepDelayMs, ctx.stepDelayMs)));
      return { outputs: [firstImage(ctx, 'image')] };
    case 'SimRaise':
      await steps(ctx, Math.max(0, Math.floor(num(inputs.steps, 0))), 1);
      throw new NodeException(
        'RuntimeError',
        inputs.message === undefined ? 'SimRaise failed' : pyStr(inputs.message),
        traceback([
          ['execution.py', 304, 'process_inputs', 'result = f(**inputs)'],
          ['custom_nodes/comfy_simulator.py', 42, 'run', 'raise RuntimeError(message)'],
        ]),
      );
    case 'SimBlock':
      ctx.blocked(inputs.message === undefined ? 'blocked by SimBlock' : pyStr(inputs.message));
      return { outputs: [firstImage(ctx, 'image')] };
    case 'SimOutput':
      return { outputs: [], ui: simOutput(ctx) };
    default:
      if (isNumeric(inputs.steps)) await steps(ctx, Math.max(0, Math.floor(num(inputs.steps, 0))), 1);
      return { outputs: outputsFor(ctx, firstImage(ctx)) };
  }
}
