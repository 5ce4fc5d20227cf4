// Gives component tests a DOM in plain Node: happy-dom's window, registered as the globals Preact and the
// components use. Import it before anything that renders.
import { Window } from 'happy-dom';

const window = new Window({ url: 'http://localhost/', width: 1024, height: 768 });
const globals = globalThis as unknown as Record<string, unknown>;
for (const name of ['document', 'navigator', 'Node', 'Element', 'HTMLElement', 'Text', 'Event', 'KeyboardEvent', 'MouseEvent', 'InputEvent', 'CustomEvent', 'requestAnimationFrame', 'cancelAnimationFrame', 'ResizeObserver', 'SVGElement', 'DocumentFragment'] as const) {
  const value = (window as unknown as Record<string, unknown>)[name];
  globals[name] = typeof value === 'function' && /^[a-z]/.test(name) ? (value as (...a: unknown[]) => unknown).bind(window) : value;
}
globals.window = window;

export const domWindow = window;
