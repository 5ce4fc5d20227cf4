// What to call a job, from the best source its record gives, so that no row reads "Job d519b2c2" when the server
// told us anything better. In order: the workflow's own name (stored with the prompt by a client that names its
// workflows; ComfyUI's editor stores none), the label this app gave it (a dropped file's name), the filename prefix
// of its output node ("portrait" from SaveImage), the model it loads ("sd_xl_base_1.0" from a checkpoint loader), the
// file it produced ("walk" from walk.webm, as ComfyUI's own queue panel names finished jobs), and last the editor's
// default prefix "ComfyUI", which says nothing about the workflow. Pure: tested on recorded prompts.

export type JobNameSource = 'workflow' | 'label' | 'filename-prefix' | 'checkpoint' | 'output-file' | 'default-prefix';

export interface JobName {
  readonly name: string;
  readonly source: JobNameSource;
}

export interface JobNameInput {
  /** The API prompt (`{ "<node id>": { class_type, inputs } }`), as the server lists or stores it. */
  readonly prompt?: unknown;
  /** The UI workflow stored with it (`extra_data.extra_pnginfo.workflow`). */
  readonly workflow?: unknown;
  /** A name this app knows the job by (a dropped file's name). */
  readonly label?: string;
  /** The files it produced, once it finished. */
  readonly outputs?: readonly { readonly filename: string }[];
}

const MAX_NAME = 200;
/** Inputs that name the model a workflow is built around, most telling first. */
const MODEL_INPUTS = ['ckpt_name', 'unet_name', 'model_name', 'base_ckpt_name'] as const;
/**
 * The only inputs whose values a name is read from; the rest of what it reads is the prompt's node ids and class
 * types. Prompts alike but for the values of other inputs have the same name (prompt-template.ts relies on it).
 */
export const NAME_INPUTS: readonly string[] = ['filename_prefix', ...MODEL_INPUTS];
/** What ComfyUI's editor puts in a new SaveImage node: naming a job after it would name every job alike. */
const DEFAULT_PREFIXES = new Set(['comfyui', 'comfyui_temp']);

export function jobName(input: JobNameInput): JobName | undefined {
  const own = workflowOwnName(input.workflow);
  if (own !== undefined) return { name: own, source: 'workflow' };
  const label = clean(input.label);
  if (label !== undefined) return { name: label, source: 'label' };
  const nodes = orderedNodes(input.prompt);
  const prefix = filenamePrefix(nodes);
  if (prefix !== undefined && !DEFAULT_PREFIXES.has(prefix.toLowerCase())) return { name: prefix, source: 'filename-prefix' };
  const model = modelName(nodes);
  if (model !== undefined) return { name: model, source: 'checkpoint' };
  const file = outputFileName(input.outputs);
  if (file !== undefined && (prefix === undefined || !DEFAULT_PREFIXES.has(file.toLowerCase()))) return { name: file, source: 'output-file' };
  if (prefix !== undefined) return { name: prefix, source: 'default-prefix' };
  return undefined;
}

/** "walk" from `walk.webm`, "ComfyUI" from `ComfyUI_00042_.png`: the first file's name without its counter and type. */
function outputFileName(outputs: readonly { readonly filename: string }[] | undefined): string | undefined {
  const first = outputs?.[0]?.filename;
  if (first === undefined) return undefined;
  return clean(first.replace(/\.[a-z0-9]{1,5}$/i, '').replace(/_?\d{3,}_?$/, '').replace(/^[_\-. ]+|[_\-. ]+$/g, ''));
}

/** The UI workflow's own name (`extra.name`, or `name`), when the client that queued it gave one. */
export function workflowOwnName(workflow: unknown): string | undefined {
  const record = asRecord(workflow);
  if (!record) return undefined;
  return clean(asRecord(record.extra)?.name) ?? clean(record.name);
}

interface PromptNode {
  readonly classType: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** Nodes in id order (numerically where ids are numbers), so the same prompt always gives the same name. */
function orderedNodes(prompt: unknown): PromptNode[] {
  const graph = asRecord(prompt);
  if (!graph) return [];
  const ids = sortedIds(Object.keys(graph));
  const nodes: PromptNode[] = [];
  for (const id of ids) {
    const node = asRecord(graph[id]);
    if (typeof node?.class_type !== 'string') continue;
    nodes.push({ classType: node.class_type, inputs: asRecord(node.inputs) ?? {} });
  }
  return nodes;
}

/**
 * The ids of the prompt named last, as listed and as sorted: the jobs of one workflow list the same ids in the same
 * order (10,000 new jobs in the first look at a big queue), and the same list always sorts the same way.
 */
let lastIds: readonly string[] = [];
let lastSorted: readonly string[] = [];

function sortedIds(ids: string[]): readonly string[] {
  if (ids.length === lastIds.length && ids.every((id, i) => id === lastIds[i])) return lastSorted;
  lastIds = [...ids];
  lastSorted = ids.sort((a, b) => compareIds(a, b));
  return lastSorted;
}

function compareIds(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The prefix of the first node that saves files under one (SaveImage, SaveAnimatedWEBP, SaveAudio, video combiners):
 * without the editor's `%date:…%` / `%Node.widget%` tokens and the folder separators around it.
 */
function filenamePrefix(nodes: readonly PromptNode[]): string | undefined {
  for (const node of nodes) {
    const raw = node.inputs.filename_prefix;
    if (typeof raw !== 'string') continue;
    const text = cleanPrefix(raw);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Prefixes cleaned lately: a queue's jobs share a few (the same workflow queued again and again). */
const cleanedPrefixes = new Map<string, string | undefined>();
const MAX_CLEANED = 64;

function cleanPrefix(raw: string): string | undefined {
  if (cleanedPrefixes.has(raw)) return cleanedPrefixes.get(raw);
  const text = clean(
    raw
      .replace(/%[^%]*%/g, '')
      .replace(/[\\/]+/g, '/')
      .replace(/^[/_\-. ]+|[/_\-. ]+$/g, ''),
  );
  if (cleanedPrefixes.size >= MAX_CLEANED) cleanedPrefixes.clear();
  // A few short strings held, never a long one.
  if (raw.length <= MAX_NAME) cleanedPrefixes.set(raw, text);
  return text;
}

/** "sd_xl_base_1.0" from `SDXL/sd_xl_base_1.0.safetensors`: the file's name without its folder and extension. */
function modelName(nodes: readonly PromptNode[]): string | undefined {
  for (const input of MODEL_INPUTS) {
    for (const node of nodes) {
      const raw = node.inputs[input];
      if (typeof raw !== 'string') continue;
      const file = raw.split(/[\\/]/).pop() ?? '';
      const text = clean(file.replace(/\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i, ''));
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

function clean(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Control characters would break a row (and a notification) apart.
  const text = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text === '' ? undefined : text.slice(0, MAX_NAME);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
