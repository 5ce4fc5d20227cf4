// Jobs, settings and a recording planner for the notification tests.
import type { NotificationContent, NotifyContext } from '../../../electron/core/notify/notification-model.js';
import { NotificationPlanner, type PlannerTimings } from '../../../electron/core/notify/notification-planner.js';
import { settingsSchema, type SettingsInput } from '../../../electron/core/store/settings-schema.js';
import type { JobView, OutputRef } from '../../../electron/shared/app-state.js';
import { ManualClock } from './manual-clock.js';

const NAMES: Record<string, string> = { gpu: 'gpu-box', laptop: 'laptop', studio: 'studio' };
export const serverName = (id: string): string => NAMES[id] ?? id;

export function context(input: SettingsInput = {}, now = 1_000): NotifyContext {
  return { settings: settingsSchema.parse(input), serverName, now };
}

export const image: OutputRef = { nodeId: '9', kind: 'images', index: 0, filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' };

let n = 0;
export function job(fields: Partial<JobView> = {}): JobView {
  return { serverId: 'gpu', id: `job-${++n}-aaaaaaaa`, status: 'completed', submittedBy: 'other', outputs: [], ...fields };
}

/** A planner on a hand-moved clock, recording what it shows; `settings` may be changed between steps. */
export function plannerFor(input: SettingsInput = {}, timings: Partial<PlannerTimings> = {}) {
  const clock = new ManualClock();
  const shown: NotificationContent[] = [];
  const state = { settings: input };
  const planner = new NotificationPlanner(() => ({ settings: settingsSchema.parse(state.settings), serverName }), (x) => shown.push(x), clock, timings);
  return { clock, shown, planner, state };
}

/** Settings with only the given kinds on (globally). */
export function onlyKinds(kinds: Partial<{ success: boolean; failure: boolean; cancelled: boolean; lost: boolean; queueFinished: boolean }>): SettingsInput {
  return { notifications: { kinds: { success: false, failure: false, cancelled: false, lost: false, queueFinished: false, ...kinds } } };
}
