// API prompts that run on a CPU-only server without model files, in both ComfyUI generations. Every prompt gets a
// colour of its own, so the server never answers from its cache.
import type { ApiPrompt } from './other-client.js';

let colour = Math.floor(Math.random() * 0xffff) * 0x100;

function nextColour(): number {
  colour = (colour + 1) % 0xffffff;
  return colour;
}

/** Finishes in well under a second: one small PNG. */
export function quickPrompt(prefix = 'conformance'): ApiPrompt {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: nextColour() } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix }, _meta: { title: 'Save quick' } },
  };
}

/** Two small PNGs from one node (a batch), for byte-identical saving of more than one file. */
export function batchPrompt(prefix = 'batch'): ApiPrompt {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 48, height: 32, batch_size: 2, color: nextColour() } },
    '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
    '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: prefix } },
  };
}

/**
 * Runs for several seconds on CPU: blurs of a large batch, node after node, so that an interrupt or a kill lands
 * inside the run (the server checks for interrupts between nodes).
 */
export function slowPrompt(blurs = 6, prefix = 'slow'): ApiPrompt {
  const prompt: ApiPrompt = {
    '1': { class_type: 'EmptyImage', inputs: { width: 1024, height: 1024, batch_size: 4, color: nextColour() } },
  };
  let previous = '1';
  for (let i = 0; i < blurs; i++) {
    const id = String(10 + i);
    prompt[id] = { class_type: 'ImageBlur', inputs: { image: [previous, 0], blur_radius: 15, sigma: 3 } };
    previous = id;
  }
  prompt['2'] = { class_type: 'ImageScale', inputs: { image: [previous, 0], upscale_method: 'nearest-exact', width: 32, height: 32, crop: 'disabled' } };
  prompt['3'] = { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: prefix } };
  return prompt;
}

/** Passes validation, then SaveImage raises: it refuses to write outside its output folder. */
export function failingPrompt(): ApiPrompt {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 1, color: nextColour() } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: '../outside/escape' }, _meta: { title: 'Save outside' } },
  };
}
