// The executor's caches: node outputs by signature ("classic" cache: only entries used by the current prompt
// survive, so a re-run right after a prompt is fully cached but not after some other prompt ran), and node
// object instances by (node id, class), which is where PreviewImage keeps its random "_temp_xxxxx" suffix.
import type { NodeValue } from './nodes.js';
import type { JsonObject, UiOutput } from './types.js';

export interface CacheEntry {
  outputs: NodeValue[];
  ui: UiOutput | undefined;
}

export class OutputCache {
  private readonly entries = new Map<string, CacheEntry>();

  get(signature: string | undefined): CacheEntry | undefined {
    return signature === undefined ? undefined : this.entries.get(signature);
  }

  set(signature: string, entry: CacheEntry): void {
    this.entries.set(signature, entry);
  }

  /** set_prompt + clean_unused: drop everything the new prompt does not use. */
  keepOnly(signatures: Iterable<string>): void {
    const keep = new Set(signatures);
    for (const key of [...this.entries.keys()]) if (!keep.has(key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export class ObjectCache {
  private readonly suffixes = new Map<string, string>();

  keepOnly(prompt: JsonObject): void {
    const keep = new Set(Object.entries(prompt).map(([id, node]) => `${id}\0${String((node as JsonObject).class_type)}`));
    for (const key of [...this.suffixes.keys()]) if (!keep.has(key)) this.suffixes.delete(key);
  }

  previewSuffix(id: string, classType: string): string {
    const key = `${id}\0${classType}`;
    let suffix = this.suffixes.get(key);
    if (!suffix) {
      suffix = `_temp_${Array.from({ length: 5 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
      this.suffixes.set(key, suffix);
    }
    return suffix;
  }

  clear(): void {
    this.suffixes.clear();
  }
}
