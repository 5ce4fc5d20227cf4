// The value an editor widget holds before a workflow's saved values are applied to it. The editor applies saved
// values in order and stops when they run out, so an input added to a node type after the workflow was saved keeps
// this value, and the editor queues it (ComfyUI_frontend's widget constructors: the definition's default, else 0 for
// numbers, "" for text, false for toggles, the first option of a combo; a multi-select starts empty).
import type { InputSpec } from './object-info.js';

/** There is no such value: a combo the server lists no options for (a model list, a remote one) got it elsewhere. */
export const NO_EDITOR_DEFAULT = Symbol('no editor default');

export function editorDefault(spec: InputSpec): unknown {
  switch (spec.type) {
    case 'INT':
    case 'FLOAT':
      return spec.default ?? 0;
    case 'STRING':
      return spec.default ?? '';
    case 'BOOLEAN':
      return spec.default ?? false;
    case 'COMBO':
      if (spec.multiselect) return [];
      // The editor takes the definition's default only when it is truthy, then the first option.
      if (Boolean(spec.default)) return spec.default;
      return spec.options !== undefined && spec.options.length > 0 ? spec.options[0] : NO_EDITOR_DEFAULT;
    default:
      return NO_EDITOR_DEFAULT;
  }
}
