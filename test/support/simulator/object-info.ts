// Node definitions: the real /object_info body recorded from each server version (fixtures), plus the
// simulator-only test classes (SimSteps, SimRaise, SimBlock, SimOutput).
import { readFileSync } from 'node:fs';
import { isRecord, pyDumps } from './json.js';
import type { SimGeneration } from './types.js';
import { REAL_FIXTURES_URL } from '../real-fixtures.js';

export const FIXTURES_URL = REAL_FIXTURES_URL;

export function fixtureFolder(generation: SimGeneration): string {
  return generation === 'modern' ? '0.28.0' : '0.3.54';
}

export type NodeInfo = Record<string, unknown>;

export interface InputSpec {
  name: string;
  category: 'required' | 'optional' | 'hidden';
  type: unknown;
  extra: Record<string, unknown>;
}

const SIM_MODULE = 'custom_nodes.comfy_simulator';

interface SimClassSpec {
  name: string;
  displayName: string;
  description: string;
  required: Record<string, unknown[]>;
  optional: Record<string, unknown[]>;
  output: string[];
}

const SIM_CLASSES: SimClassSpec[] = [
  {
    name: 'SimSteps',
    displayName: 'Sim Steps',
    description: 'Simulator: reports `steps` progress steps (optionally `stepDelayMs` apart), saves nothing.',
    required: { steps: ['INT', { default: 10, min: 0, max: 1000000 }] },
    optional: { stepDelayMs: ['INT', { default: 5, min: 0, max: 3600000 }], image: ['IMAGE', {}] },
    output: ['IMAGE'],
  },
  {
    name: 'SimRaise',
    displayName: 'Sim Raise',
    description: 'Simulator: raises RuntimeError(message) when it runs (after `steps` progress steps).',
    required: {},
    optional: {
      message: ['STRING', { default: 'SimRaise failed' }],
      steps: ['INT', { default: 0, min: 0, max: 1000000 }],
      image: ['IMAGE', {}],
    },
    output: [],
  },
  {
    name: 'SimBlock',
    displayName: 'Sim Block',
    description: 'Simulator: sends a non-terminal ExecutionBlocked execution_error, then continues.',
    required: {},
    optional: { message: ['STRING', { default: 'blocked by SimBlock' }], image: ['IMAGE', {}] },
    output: ['IMAGE'],
  },
  {
    name: 'SimOutput',
    displayName: 'Sim Output',
    description: 'Simulator: output node producing `count` files under UI key `key`, stored for /view; `animated` flags them like SaveAnimatedWEBP.',
    required: {},
    optional: {
      key: ['STRING', { default: 'images' }],
      filename: ['STRING', { default: '' }],
      type: [['output', 'temp', 'input'], { default: 'output' }],
      subfolder: ['STRING', { default: '' }],
      count: ['INT', { default: 1, min: 0, max: 10000 }],
      animated: ['BOOLEAN', { default: false }],
      image: ['IMAGE', {}],
    },
    output: [],
  },
];

export const SIM_CLASS_NAMES = new Set(SIM_CLASSES.map((c) => c.name));

function simNodeInfo(spec: SimClassSpec, generation: SimGeneration): NodeInfo {
  const info: NodeInfo = {
    input: { required: spec.required, optional: spec.optional },
    input_order: { required: Object.keys(spec.required), optional: Object.keys(spec.optional) },
  };
  if (generation === 'modern') info.is_input_list = false;
  Object.assign(info, {
    output: spec.output,
    output_is_list: spec.output.map(() => false),
    output_name: spec.output,
    name: spec.name,
    display_name: spec.displayName,
    description: spec.description,
    python_module: SIM_MODULE,
    category: 'simulator',
    output_node: true,
  });
  if (generation === 'modern') Object.assign(info, { has_intermediate_output: false, search_aliases: [] });
  return info;
}

/** Offsets of each top-level member's value in a JSON object text (so bodies can be served byte-exact). */
function topLevelValues(text: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  let i = text.indexOf('{') + 1;
  const skipString = (from: number): number => {
    let j = from + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  while (i < text.length) {
    while (i < text.length && text[i] !== '"' && text[i] !== '}') i++;
    if (i >= text.length || text[i] === '}') break;
    const keyEnd = skipString(i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = text.indexOf(':', keyEnd) + 1;
    while (text[i] === ' ') i++;
    const start = i;
    let depth = 0;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') i = skipString(i) - 1;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    out.set(key, [start, i]);
  }
  return out;
}

export class ObjectInfo {
  private readonly classes = new Map<string, NodeInfo>();
  private readonly rawClasses = new Map<string, string>();
  /** The full /object_info body (recorded text with the simulator classes appended). */
  readonly rawBody: string;

  constructor(readonly generation: SimGeneration) {
    const url = new URL(`${fixtureFolder(generation)}/15_endpoints/object_info.json`, FIXTURES_URL);
    const text = readFileSync(url, 'utf8').trimEnd();
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) throw new Error('object_info fixture is not an object');
    for (const [name, info] of Object.entries(parsed)) if (isRecord(info)) this.classes.set(name, info);
    for (const [name, [start, end]] of topLevelValues(text)) this.rawClasses.set(name, text.slice(start, end));
    const extra: string[] = [];
    for (const spec of SIM_CLASSES) {
      const info = simNodeInfo(spec, generation);
      this.classes.set(spec.name, info);
      this.rawClasses.set(spec.name, pyDumps(info));
      extra.push(`${pyDumps(spec.name)}: ${pyDumps(info)}`);
    }
    this.rawBody = `${text.slice(0, text.lastIndexOf('}'))}, ${extra.join(', ')}}`;
  }

  has(classType: unknown): classType is string {
    return typeof classType === 'string' && this.classes.has(classType);
  }

  get(classType: string): NodeInfo | undefined {
    return this.classes.get(classType);
  }

  isOutputNode(classType: string): boolean {
    return this.classes.get(classType)?.output_node === true;
  }

  returnTypes(classType: string): unknown[] {
    const output = this.classes.get(classType)?.output;
    return Array.isArray(output) ? output : [];
  }

  /** Inputs in the server's order: required, then optional (input_order when present). */
  inputs(classType: string, categories: InputSpec['category'][] = ['required', 'optional']): InputSpec[] {
    const info = this.classes.get(classType);
    const input = isRecord(info?.input) ? info.input : {};
    const order = isRecord(info?.input_order) ? info.input_order : {};
    const specs: InputSpec[] = [];
    for (const category of categories) {
      const group = input[category];
      if (!isRecord(group)) continue;
      const listed = order[category];
      const names = Array.isArray(listed) ? listed.filter((n): n is string => typeof n === 'string') : Object.keys(group);
      for (const name of names) {
        const def = group[name];
        if (category === 'hidden') {
          specs.push({ name, category, type: def, extra: {} });
          continue;
        }
        if (!Array.isArray(def)) continue;
        const extra = def.length > 1 && isRecord(def[1]) ? def[1] : {};
        specs.push({ name, category, type: def[0], extra });
      }
    }
    return specs;
  }

  /** `/object_info/{class}` body, byte-exact as the recorded server sent it. */
  singleClassBody(classType: string): string {
    const raw = this.rawClasses.get(classType);
    return raw === undefined ? '{}' : `{${pyDumps(classType)}: ${raw}}`;
  }
}

const cache = new Map<SimGeneration, ObjectInfo>();

export function objectInfoFor(generation: SimGeneration): ObjectInfo {
  let info = cache.get(generation);
  if (!info) {
    info = new ObjectInfo(generation);
    cache.set(generation, info);
  }
  return info;
}
