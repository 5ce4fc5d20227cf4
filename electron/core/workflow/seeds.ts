// The "randomize seeds" and "repeat N" drop options. Randomizing follows the editor's rule for control widgets set
// to randomize, so seeds fall in the same range the editor would pick from.
import type { ApiPrompt } from './classify-json.js';
import { hasSeedControl } from './object-info.js';
import type { InputSpec, ObjectInfo } from './object-info.js';

const LIMIT = 1125899906842624; // 2^50: the editor caps the random range so values stay exact doubles.
export const MAX_REPEAT = 1000;

export function randomValue(spec: Pick<InputSpec, 'min' | 'max' | 'step'>, random: () => number = Math.random): number {
  const min = Math.max(-LIMIT, Number(spec.min ?? 0));
  const max = Math.min(LIMIT, Number(spec.max ?? LIMIT));
  const step = Number(spec.step ?? 1) || 1;
  return Math.floor(random() * ((max - min) / step)) * step + min;
}

/** A copy of the prompt with every literal seed-controlled INT input (seed, noise_seed…) drawn afresh. */
export function randomizeSeeds(prompt: ApiPrompt, info: ObjectInfo, random: () => number = Math.random): ApiPrompt {
  const copy = structuredClone(prompt);
  for (const node of Object.values(copy)) {
    const def = info.get(node.class_type);
    if (def === undefined) continue;
    for (const spec of def.inputs) {
      if (!hasSeedControl(spec) || !Object.hasOwn(node.inputs, spec.name)) continue;
      const value = node.inputs[spec.name];
      if (typeof value === 'number' || typeof value === 'bigint') node.inputs[spec.name] = randomValue(spec, random);
    }
  }
  return copy;
}

/** N prompts for "repeat N": identical copies (what Queue does with fixed seeds) or each with fresh seeds. */
export function repeatPrompt(
  prompt: ApiPrompt,
  count: number,
  options: { randomize?: { info: ObjectInfo; random?: () => number } } = {},
): ApiPrompt[] {
  const n = Math.max(1, Math.min(MAX_REPEAT, Math.floor(count)));
  const out: ApiPrompt[] = [];
  for (let i = 0; i < n; i++) {
    out.push(options.randomize === undefined ? structuredClone(prompt) : randomizeSeeds(prompt, options.randomize.info, options.randomize.random));
  }
  return out;
}
