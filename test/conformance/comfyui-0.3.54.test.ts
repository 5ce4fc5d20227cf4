// The app against a real ComfyUI 0.3.54 (the legacy generation: no Jobs API, only /queue and /history).
import { conformanceSuite } from './suite.js';

conformanceSuite('0.3.54');
