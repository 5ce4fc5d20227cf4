// What the app reads from a queued job's prompt: its node table, its workflow signature and the name the prompt gives
// it. From a queue listing's text, a prompt that matches the template of a workflow met lately (prompt-template.ts) is
// read in place, and shares that workflow's table and signature; its name is worked out once per value of the inputs
// that name jobs. Any other prompt is parsed, as it always was, and a workflow met again gets a template.
import { parseJson } from '../json.js';
import { jobName } from './job-name.js';
import { promptShape, type NodeTable } from './prompt-shape.js';
import { matchPromptTemplate, promptTemplate, type PromptTemplate } from './prompt-template.js';
import { sharedWorkflowSignature } from './workflow-signature.js';

export interface PromptDigest {
  readonly nodes?: NodeTable;
  readonly signature?: string;
  /** The name the prompt alone gives the job (job-name.ts), for when its workflow has no name of its own. */
  readonly name?: string;
}

/** What a parsed prompt gives. */
export function digestOfPrompt(prompt: unknown): PromptDigest {
  const shape = promptShape(prompt);
  if (!shape) return {};
  const signature = sharedWorkflowSignature(prompt);
  const name = jobName({ prompt })?.name;
  return { nodes: shape.nodes, ...(signature !== undefined && { signature }), ...(name !== undefined && { name }) };
}

interface KnownWorkflow {
  readonly template: PromptTemplate;
  readonly digest: PromptDigest;
  /** Names by the key of their naming values (prompt-template.ts). */
  readonly names: Map<string, string | undefined>;
}

/**
 * Workflows with a template, most recently matched first: a queue rarely mixes more, each miss costs a compare, and a
 * template holds its compiled pattern (~120 KiB of heap for a 3 KB prompt, up to ~720 KiB for the biggest patterns).
 */
const RECENT = 8;
const known: KnownWorkflow[] = [];
/** How often a node table's prompts were parsed: a template is made from the second and third (see below). */
const parses = new WeakMap<NodeTable, number>();
/** Bigger prompts are parsed every time: a template keeps its text. */
const MAX_TEMPLATE_TEXT = 512 * 1024;
const MAX_NAMES = 256;
const MAX_KEY = 1024;

/** What the prompt at `text.slice(start, end)` gives (a listing's text, which a template may read in place). */
export function digestOfListedPrompt(text: string, start: number, end: number): PromptDigest {
  for (let i = 0; i < known.length; i++) {
    const workflow = known[i]!;
    const key = matchPromptTemplate(workflow.template, text, start, end);
    if (key === undefined) continue;
    if (i > 0) {
      known.splice(i, 1);
      known.unshift(workflow);
    }
    return withName(workflow, key, text, start, end);
  }
  const source = text.slice(start, end);
  const prompt = parse(source);
  const digest = digestOfPrompt(prompt);
  const nodes = digest.nodes;
  if (nodes !== undefined && source.length <= MAX_TEMPLATE_TEXT) {
    // Not from a workflow's first prompt: a queue of workflows each met once would pay for templates it never uses. A
    // third one is made when the second did not fit the workflow's other prompts (another client's key order).
    const count = (parses.get(nodes) ?? 0) + 1;
    parses.set(nodes, count);
    if (count === 2 || count === 3) remember(source, digest);
  }
  return digest;
}

function withName(workflow: KnownWorkflow, key: string, text: string, start: number, end: number): PromptDigest {
  const { digest, names } = workflow;
  let name = names.get(key);
  if (name === undefined && !names.has(key)) {
    name = jobName({ prompt: parse(text.slice(start, end)) })?.name;
    if (key.length <= MAX_KEY) {
      if (names.size >= MAX_NAMES) names.clear();
      names.set(copy(key), name);
    }
  }
  if (name === digest.name) return digest;
  const { name: _other, ...shared } = digest;
  return name === undefined ? shared : { ...shared, name };
}

function remember(source: string, digest: PromptDigest): void {
  const template = promptTemplate(source);
  if (!template) return;
  const names = new Map<string, string | undefined>();
  const key = matchPromptTemplate(template, source, 0, source.length);
  if (key !== undefined && key.length <= MAX_KEY) names.set(copy(key), digest.name);
  known.unshift({ template, digest, names });
  if (known.length > RECENT) known.pop();
}

/** A prompt that is not JSON (the scanner only matched its brackets) counts as absent. */
function parse(source: string): unknown {
  try {
    return parseJson(source);
  } catch {
    return undefined;
  }
}

/**
 * A key that shares no memory with the text it was read from: its values are slices of a listing's body, which would
 * keep the whole body (tens of MB) alive for as long as the name is remembered.
 */
function copy(key: string): string {
  return JSON.parse(JSON.stringify(key)) as string;
}
