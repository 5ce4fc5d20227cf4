// Public entry of the ComfyUI simulator used by tests: `const sim = await ComfySimulator.start({ ... })`.
export { ComfySimulator, type EnqueueOptions } from './simulator/server.js';
export type { FinishStatus, SimEventMap, SimGeneration, SimulatorOptions } from './simulator/types.js';
export { readPngText } from './simulator/images.js';
