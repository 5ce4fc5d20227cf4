// The app against a real ComfyUI 0.8.0 (the Jobs API of its time: a status filter without `cancelled`, v3 node definitions with `null` fields).
import { conformanceSuite } from './suite.js';

conformanceSuite('0.8.0');
