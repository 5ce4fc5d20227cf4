// What stands in the hidden control slot the editor saves after a seed-controlled input ("control after
// generate"). The slot is only a position in widgets_values: its value is never sent, the seed before it is.
/** The modes of today's editors. */
export const CONTROL_MODES: ReadonlySet<unknown> = new Set(['fixed', 'increment', 'decrement', 'randomize', 'increment-wrap']);

/**
 * What 2023 editors saved there: the `true`/`false` of the early "random seed after every gen" toggle (later editors
 * read it on load as randomize/fixed: ComfyUI_frontend's loadGraphData, and ComfyUI's web/scripts/app.js before
 * it), and the "fixed seed" mode of the combo that replaced the toggle.
 */
const LEGACY_CONTROL_VALUES: ReadonlySet<unknown> = new Set([true, false, 'fixed seed']);

export function isControlValue(value: unknown): boolean {
  return CONTROL_MODES.has(value) || LEGACY_CONTROL_VALUES.has(value);
}
