// What to do about the failures people hit most, read from the error the server reported: out of memory, a model
// file the server lacks, a custom node (or one of its Python packages) that is missing, and access refused (401/403,
// mostly API nodes whose service wants a sign-in or a key). Plain matching on the exception type and message: a
// hint is offered only when the text says so, never guessed.
import type { JobError } from '../../electron/shared/app-state.js';

export type FailureHintKind = 'out-of-memory' | 'missing-model' | 'missing-node' | 'access-refused';

export interface FailureHint {
  readonly kind: FailureHintKind;
  readonly title: string;
  readonly text: string;
}

const OUT_OF_MEMORY = /out of memory|OutOfMemoryError|allocation on device|can't allocate memory|not enough memory|DefaultCPUAllocator/i;
const MODEL_FILE = /([^\s'"`:,()[\]/\\]+\.(?:safetensors|ckpt|pt|pth|bin|gguf|sft|onnx))\b/i;
const MODEL_MISSING = /(?:not found|does not exist|no such file|missing|not in list|could not find)/i;
const MODULE_MISSING = /No module named ['"]?([\w.-]+)/i;
const NODE_MISSING = /(?:node (?:type|class)? ?['"]?[\w.-]+['"]? (?:does not exist|not found)|missing_node_type|cannot import .* module for custom nodes|unknown node type)/i;
const ACCESS_REFUSED = /\b(?:HTTP|status|code|error)\s*:?\s*(?:401|403)\b|\b(?:401|403)\s*:?\s*(?:unauthori[sz]ed|forbidden)|unauthori[sz]ed|forbidden|invalid api[ _-]?key|api[ _-]?key (?:is )?(?:missing|invalid|required)|log ?in first|please (?:log|sign) ?in|not (?:logged|signed) in/i;

export function failureHints(error: JobError): FailureHint[] {
  const text = `${error.exceptionType}: ${error.message}`;
  const node = error.nodeTitle ?? error.nodeType;
  const at = node ? ` (${node})` : '';
  const hints: FailureHint[] = [];
  if (OUT_OF_MEMORY.test(text)) {
    hints.push({
      kind: 'out-of-memory',
      title: 'The server ran out of memory',
      text: `Lower the resolution or the batch size, use a smaller model (or a quantised one), decode with a tiled VAE, or start ComfyUI with --lowvram. Other programs using the GPU count too; running the job again after a restart of ComfyUI frees what a previous job left behind.`,
    });
  }
  const model = MODEL_FILE.exec(text)?.[1];
  if ((model !== undefined && MODEL_MISSING.test(text)) || /FileNotFoundError/.test(error.exceptionType) && model !== undefined) {
    hints.push({
      kind: 'missing-model',
      title: `A model file is missing on the server${at}`,
      text: `${model} is not where ComfyUI looks for it. Put it in the matching folder under ComfyUI/models (checkpoints, loras, vae, clip, unet…) or pick a model the server has, then queue the job again.`,
    });
  }
  const module = MODULE_MISSING.exec(text)?.[1];
  if (module !== undefined || NODE_MISSING.test(text) || error.exceptionType === 'ModuleNotFoundError' || error.exceptionType === 'ImportError') {
    hints.push({
      kind: 'missing-node',
      title: module !== undefined ? `A Python package is missing: ${module}` : `A custom node is missing or did not load${at}`,
      text: `Install the custom node (ComfyUI-Manager can install what a workflow needs) or its requirements into ComfyUI's Python, then restart ComfyUI. Its console lists the custom nodes that failed to load.`,
    });
  }
  if (ACCESS_REFUSED.test(text)) {
    hints.push({
      kind: 'access-refused',
      title: `Access was refused (401/403)${at}`,
      text: `The service behind this node refused the credentials. API nodes need you signed in to your Comfy account in the browser that queued the job, or an API key; check the key, the account's credits and the node's permissions.`,
    });
  }
  return hints;
}
