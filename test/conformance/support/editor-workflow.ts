// Builds editor (UI) workflows from the node definitions a real server lists (`/object_info`), laid out as the
// editor saves them, together with the API prompt the editor's Queue button sends for them. Written from the
// editor's own rules, apart from the app's converter, so that the two can be compared:
// - a node's widgets are its widget-type inputs (INT, FLOAT, STRING, BOOLEAN, combos) that are not `forceInput`, in
//   `input_order`, required then optional; `widgets_values` holds their values in that order;
// - an INT input whose definition sets `control_after_generate` (or, without it, one named seed/noise_seed) gets a
//   hidden control widget right after it: its mode is saved, never sent;
// - a widget left out takes the editor's default: the definition's, else 0, "", false or the first option; so does
//   one the saved workflow has no value for (saved before its node type had it: the editor stops when they run out);
// - every input is a socket in `inputs` (widget ones carry `widget: {name}`), a link feeds it and the widget keeps
//   its value; a PrimitiveNode's value replaces the widget it feeds; Reroutes pass their link through; Notes and
//   muted nodes send nothing;
// - `_meta.title` is the node's title: the one given, else the definition's display name, else its type.
import type { ApiPrompt } from './other-client.js';

const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

export interface Socket {
  readonly node: number;
  readonly slot: number;
}

interface SavedInput {
  name: string;
  type: string;
  link: number | null;
  widget?: { name: string };
}

interface SavedOutput {
  name: string;
  type: string;
  links: number[];
  widget?: { name: string };
  slot_index?: number;
}

interface SavedNode {
  id: number;
  type: string;
  title?: string;
  pos: [number, number];
  size: [number, number];
  flags: Record<string, never>;
  order: number;
  mode: number;
  inputs: SavedInput[];
  outputs: SavedOutput[];
  properties: Record<string, unknown>;
  widgets_values: unknown[];
}

type SavedLink = [number, number, number, number, number, string];

/** What a node's output stands for in the queued prompt: a link, or (PrimitiveNode) the literal value. */
type Source = { readonly link: [string, number] } | { readonly value: unknown };

type InputSpec = readonly [unknown, Record<string, unknown>?];

export interface AddOptions {
  readonly title?: string;
  /**
   * The saved value of every control widget: a mode ("fixed" if not given), or the `true`/`false` of the 2023 seed
   * toggle. It never changes what is queued.
   */
  readonly control?: string | boolean;
  /** Saved before the node type had this input and the ones after it: their values are missing from the save. */
  readonly savedBefore?: string;
  /** 2: muted (the editor leaves it out of the prompt; nothing may be linked from it here). */
  readonly mode?: 0 | 2;
  /** The value of a combo the server lists no options for (model lists on a server without models). */
  readonly emptyCombo?: string;
}

function isSocket(value: unknown): value is Socket {
  return typeof value === 'object' && value !== null && 'node' in value && 'slot' in value;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export class EditorNode {
  constructor(
    readonly id: number,
    readonly type: string,
  ) {}

  out(slot = 0): Socket {
    return { node: this.id, slot };
  }
}

export class EditorWorkflow {
  private readonly nodes: SavedNode[] = [];
  private readonly links: SavedLink[] = [];
  private readonly prompt: ApiPrompt = {};
  /** Per node id, what each output slot is in the prompt (virtual nodes resolve here). */
  private readonly sources = new Map<number, (slot: number) => Source>();
  private lastLink = 0;

  /** `defs`: the server's `/object_info`, as it answered. */
  constructor(private readonly defs: Record<string, unknown>) {}

  /** The node types of `/object_info` whose definitions have a `display_name` of null (v3 schema, ComfyUI 0.8.0). */
  static nullDisplayNames(defs: Record<string, unknown>): string[] {
    return Object.entries(defs).filter(([, def]) => record(def).display_name === null).map(([name]) => name);
  }

  /**
   * A server node; `values` gives inputs by name: a literal for a widget, or a socket (another node's output) for a
   * link. Widgets not given take the editor's default.
   */
  add(type: string, values: Record<string, unknown> = {}, options: AddOptions = {}): EditorNode {
    const def = record(this.defs[type]);
    if (Object.keys(def).length === 0) throw new Error(`the server lists no node type ${type}`);
    const node = this.newNode(type, options.title, options.mode ?? 0);
    const inputs: Record<string, unknown> = {};
    let cut: number | undefined;
    for (const [name, spec] of orderedInputs(def)) {
      if (name === options.savedBefore) cut = node.widgets_values.length;
      if (cut !== undefined && values[name] !== undefined) throw new Error(`${type}.${name} came after the save: it can only hold the editor's default`);
      const [head, opts = {}] = spec;
      const kind = Array.isArray(head) ? 'COMBO' : String(head);
      const given = values[name];
      const isWidget = WIDGET_TYPES.has(kind) && opts.forceInput !== true;
      if (isWidget) {
        if (opts.image_upload === true || opts.audio_upload === true || opts.video_upload === true) throw new Error(`${type}.${name}: upload widgets are not modelled`);
        const source = isSocket(given) ? this.source(given) : undefined;
        const value = source !== undefined && 'value' in source ? source.value : isSocket(given) || given === undefined ? editorDefault(kind, head, opts, options.emptyCombo) : given;
        node.widgets_values.push(value, ...controlValues(type, name, kind, opts, options.control));
        const link = isSocket(given) ? this.link(given, node, node.inputs.length, kind) : null;
        // An input the type gained after the save has no socket in it either.
        if (cut === undefined) node.inputs.push({ name, type: kind, widget: { name }, link });
        inputs[name] = source !== undefined && 'link' in source ? source.link : value;
      } else {
        // A match-type input is a plain socket; the other v3 kinds (autogrow, dynamic combos) are built by frontend code.
        if (/_V3$/.test(kind) && kind !== 'COMFY_MATCHTYPE_V3') throw new Error(`${type}.${name}: ${kind} inputs are built by frontend code, not modelled`);
        const link = isSocket(given) ? this.link(given, node, node.inputs.length, kind) : null;
        if (given !== undefined && link === null) throw new Error(`${type}.${name} is a socket: give it another node's output`);
        if (cut === undefined) node.inputs.push({ name, type: kind, link });
        const source = isSocket(given) ? this.source(given) : undefined;
        if (source !== undefined) inputs[name] = 'link' in source ? source.link : source.value;
      }
    }
    if (options.savedBefore !== undefined && cut === undefined) throw new Error(`${type} has no widget ${options.savedBefore}`);
    if (cut !== undefined) node.widgets_values = node.widgets_values.slice(0, cut);
    const outputs = Array.isArray(def.output) ? def.output : [];
    const names = Array.isArray(def.output_name) ? def.output_name : [];
    node.outputs = outputs.map((output, slot) => {
      const outputType = Array.isArray(output) ? 'COMBO' : String(output);
      return { name: typeof names[slot] === 'string' ? names[slot] : outputType, type: outputType, links: [], slot_index: slot };
    });
    const title = options.title ?? (typeof def.display_name === 'string' && def.display_name !== '' ? def.display_name : type);
    if (node.mode === 0) this.prompt[String(node.id)] = { class_type: type, inputs, _meta: { title } };
    this.sources.set(node.id, (slot) => {
      if (node.mode !== 0) throw new Error(`links from muted node ${node.id} are not modelled`);
      return { link: [String(node.id), slot] };
    });
    return new EditorNode(node.id, type);
  }

  /** The editor's PrimitiveNode: one value (with its control for numbers), for the widget socket it is wired to. */
  primitive(type: 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN', value: unknown, widgetName: string, control: string | boolean = 'fixed'): EditorNode {
    const node = this.newNode('PrimitiveNode', undefined, 0);
    node.properties = { 'Run widget replace on values': false };
    node.outputs = [{ name: type, type, links: [], widget: { name: widgetName } }];
    node.widgets_values = type === 'INT' || type === 'FLOAT' ? [value, control] : [value];
    this.sources.set(node.id, () => ({ value }));
    return new EditorNode(node.id, 'PrimitiveNode');
  }

  /** A Reroute node on a link of the given type. */
  reroute(from: Socket, type: string): EditorNode {
    const node = this.newNode('Reroute', undefined, 0);
    node.properties = { showOutputText: false, horizontal: false };
    const link = this.link(from, node, 0, type);
    node.inputs = [{ name: '', type: '*', link }];
    node.outputs = [{ name: '', type, links: [], slot_index: 0 }];
    node.widgets_values = [];
    const upstream = this.source(from);
    this.sources.set(node.id, () => upstream);
    return new EditorNode(node.id, 'Reroute');
  }

  /** A Note: a frontend-only node the prompt never holds. */
  note(text: string): EditorNode {
    const node = this.newNode('Note', undefined, 0);
    node.widgets_values = [text];
    return new EditorNode(node.id, 'Note');
  }

  /** The workflow as the editor saves it (schema 0.4: links as arrays). */
  workflow(): Record<string, unknown> {
    return {
      last_node_id: this.nodes.length,
      last_link_id: this.lastLink,
      nodes: structuredClone(this.nodes),
      links: structuredClone(this.links),
      groups: [],
      config: {},
      extra: { ds: { scale: 1, offset: [0, 0] } },
      version: 0.4,
    };
  }

  /** The API prompt the editor's Queue button sends for it. */
  expectedPrompt(): ApiPrompt {
    return structuredClone(this.prompt);
  }

  private newNode(type: string, title: string | undefined, mode: number): SavedNode {
    const id = this.nodes.length + 1;
    const node: SavedNode = {
      id,
      type,
      ...(title !== undefined && { title }),
      pos: [100 + 250 * (id % 6), 100 + 200 * Math.floor(id / 6)],
      size: [220, 120],
      flags: {},
      order: id - 1,
      mode,
      inputs: [],
      outputs: [],
      properties: { 'Node name for S&R': type },
      widgets_values: [],
    };
    this.nodes.push(node);
    return node;
  }

  private source(from: Socket): Source {
    const resolve = this.sources.get(from.node);
    if (resolve === undefined) throw new Error(`node ${from.node} has no outputs here`);
    return resolve(from.slot);
  }

  private link(from: Socket, target: SavedNode, targetSlot: number, type: string): number {
    const origin = this.nodes.find((node) => node.id === from.node);
    const output = origin?.outputs[from.slot];
    if (output === undefined) throw new Error(`node ${from.node} has no output ${from.slot}`);
    const id = ++this.lastLink;
    output.links.push(id);
    this.links.push([id, from.node, from.slot, target.id, targetSlot, type]);
    return id;
  }
}

function orderedInputs(def: Record<string, unknown>): Array<[string, InputSpec]> {
  const input = record(def.input);
  const order = record(def.input_order);
  const out: Array<[string, InputSpec]> = [];
  for (const section of ['required', 'optional'] as const) {
    const specs = record(input[section]);
    const names = Array.isArray(order[section]) ? (order[section] as string[]) : Object.keys(specs);
    for (const name of names) {
      const spec = specs[name];
      if (Array.isArray(spec)) out.push([name, [spec[0], record(spec[1])]]);
    }
  }
  return out;
}

/** The value a new widget holds before anyone touches it (the frontend's widget constructors). */
function editorDefault(kind: string, head: unknown, opts: Record<string, unknown>, emptyCombo: string | undefined): unknown {
  switch (kind) {
    case 'INT':
    case 'FLOAT':
      return opts.default ?? 0;
    case 'STRING':
      return opts.default ?? '';
    case 'BOOLEAN':
      return opts.default ?? false;
    default: {
      const options = Array.isArray(head) ? head : Array.isArray(opts.options) ? opts.options : [];
      if (opts.default !== undefined && opts.default !== '' && opts.default !== null) return opts.default;
      if (options.length > 0) return options[0];
      if (emptyCombo === undefined) throw new Error('a combo without options has no default');
      return emptyCombo;
    }
  }
}

function controlValues(type: string, name: string, kind: string, opts: Record<string, unknown>, mode: string | boolean = 'fixed'): (string | boolean)[] {
  const flag = opts.control_after_generate ?? (name === 'seed' || name === 'noise_seed');
  if (flag === false || flag === undefined) return [];
  if (kind !== 'INT') throw new Error(`${type}.${name}: control widgets of ${kind} inputs are not modelled`);
  return [mode];
}
