// What the main process answers for dropped files, as the drop tests need them: an opened file and a clean preflight.
import type { OpenedWorkflow, PrepareResult } from '../../../electron/shared/ipc-contract.js';

export const opened = (token: string, extra: Partial<Extract<OpenedWorkflow, { ok: true }>> = {}): OpenedWorkflow => ({
  ok: true,
  token,
  name: `${token}.json`,
  format: 'json',
  kind: 'api-prompt',
  nodeCount: 3,
  attachments: [],
  ...extra,
});

export const clean = (extra: Partial<Extract<PrepareResult, { ok: true }>> = {}): PrepareResult => ({
  ok: true,
  origin: 'api-prompt',
  prompts: 1,
  nodeCount: 3,
  problems: [],
  blocking: 0,
  uploadable: [],
  warnings: [],
  ...extra,
});
