// Where the transcripts and responses recorded from real ComfyUI servers live: in the repository, so that a fresh
// clone tests with nothing beside it. Every test and the simulator read them through this one URL.
export const REAL_FIXTURES_URL = new URL('../fixtures/comfyui-real/', import.meta.url);
