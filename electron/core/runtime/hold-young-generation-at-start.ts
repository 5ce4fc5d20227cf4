// Imported first by the app's entry points, for its side effect: the hold on V8's young generation (see
// young-generation.ts) begins before the other modules load. Loading the bundle alone (its code and the objects its
// modules make at the top level) would otherwise have grown the space fourfold, and the hold keeps the size it finds.
import { holdYoungGeneration } from './young-generation.js';

holdYoungGeneration();
