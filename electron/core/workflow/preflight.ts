// Checks an API prompt against the target server before anything is queued and reports every problem at once, per
// node by title: node types the server lacks, combo values (models…) not in its lists, input images it does not have.
import type { ApiPrompt } from './classify-json.js';
import { isRecord } from './classify-json.js';
import type { NodeRef } from './errors.js';
import type { ObjectInfo } from './object-info.js';
import { checkValue, show } from './widgets.js';

export type FindingKind = 'missing-node-type' | 'missing-combo-value' | 'missing-input-file' | 'invalid-value';

export interface PreflightFinding {
  readonly kind: FindingKind;
  readonly node: NodeRef;
  readonly classType: string;
  readonly value?: unknown;
  readonly message: string;
}

export interface PreflightReport {
  readonly ok: boolean;
  readonly findings: readonly PreflightFinding[];
  /** Distinct node types the server lacks, for the "install these" line. */
  readonly missingNodeTypes: readonly string[];
  /** Input file names the prompt references that the server lacks (candidates for upload). */
  readonly missingInputFiles: readonly string[];
}

export interface PreflightOptions {
  /** The server's input files, when known; otherwise the upload combos' option lists stand in for them. */
  readonly inputFiles?: readonly string[];
}

const ANNOTATION = / \[(?:input|output|temp)\]$/;

export function preflightPrompt(prompt: ApiPrompt, info: ObjectInfo, options: PreflightOptions = {}): PreflightReport {
  const findings: PreflightFinding[] = [];
  const missingTypes = new Set<string>();
  const missingFiles = new Set<string>();
  const inputFiles = options.inputFiles === undefined ? undefined : new Set(options.inputFiles);
  for (const [id, node] of Object.entries(prompt)) {
    const def = info.get(node.class_type);
    const title = node._meta?.title ?? def?.displayName ?? node.class_type;
    if (def === undefined) {
      missingTypes.add(node.class_type);
      findings.push({ kind: 'missing-node-type', node: { id, title }, classType: node.class_type, message: `the server has no node type "${node.class_type}"` });
      continue;
    }
    for (const spec of def.inputs) {
      if (!Object.hasOwn(node.inputs, spec.name)) continue;
      const raw = node.inputs[spec.name];
      if (isLink(raw)) continue;
      const value = isRecord(raw) && Array.isArray(raw.__value__) ? raw.__value__ : raw;
      const ref: NodeRef = { id, title, input: spec.name };
      if (spec.upload && typeof value === 'string') {
        const file = value.replace(ANNOTATION, '');
        const known = inputFiles?.has(file) ?? (spec.options === undefined || spec.options.includes(file) || spec.options.includes(value));
        if (!known) {
          missingFiles.add(file);
          findings.push({ kind: 'missing-input-file', node: ref, classType: node.class_type, value: file, message: `the server has no input file ${show(file)}` });
        }
        continue;
      }
      const check = checkValue(spec, value);
      if (check === 'ok') continue;
      if (check === 'combo-miss') {
        findings.push({ kind: 'missing-combo-value', node: ref, classType: node.class_type, value, message: `the server does not offer ${show(value)}` });
      } else {
        findings.push({ kind: 'invalid-value', node: ref, classType: node.class_type, value, message: check.reason });
      }
    }
  }
  return { ok: findings.length === 0, findings, missingNodeTypes: [...missingTypes], missingInputFiles: [...missingFiles] };
}

function isLink(value: unknown): boolean {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}
