// The drop channels: files the window read (dropped or picked) go to the core's inbox, which opens, prepares and
// submits them. The bytes come from the renderer, so their shape and size are checked here before anything reads
// them; the inbox then applies its own per-drop limits.
import { z } from 'zod';
import type { WorkflowInbox } from '../core/submit/inbox.js';
import type { ArgSchemas, Handlers } from './ipc.js';

export type WorkflowChannel = 'workflows:open' | 'workflows:prepare' | 'workflows:submit' | 'workflows:discard';

/** Bigger than the inbox's per-file limit on purpose: the inbox answers an oversized file with a clear message. */
const MAX_IPC_FILE_BYTES = 1024 * 1024 * 1024;

const token = z.string().uuid();
const serverId = z.string().min(1).max(500);
const dropOptions = z.strictObject({
  randomizeSeeds: z.boolean(),
  repeat: z.number().int().min(1).max(1000),
  front: z.boolean(),
});
const droppedFile = z.strictObject({
  name: z.string().min(1).max(1024),
  bytes: z.instanceof(Uint8Array).refine((bytes) => bytes.length <= MAX_IPC_FILE_BYTES, 'file too large'),
});

export function workflowHandlers(inbox: Pick<WorkflowInbox, 'open' | 'prepare' | 'submit' | 'discard'>): {
  handlers: Pick<Handlers, WorkflowChannel>;
  schemas: Pick<ArgSchemas, WorkflowChannel>;
} {
  return {
    handlers: {
      'workflows:open': (files) => inbox.open(files),
      'workflows:prepare': (tokenValue, server, options) => inbox.prepare(tokenValue, server, options),
      'workflows:submit': (tokenValue, server, options) => inbox.submit(tokenValue, server, options),
      'workflows:discard': (tokenValue) => inbox.discard(tokenValue),
    },
    schemas: {
      'workflows:open': z.tuple([z.array(droppedFile).min(1).max(1000)]),
      'workflows:prepare': z.tuple([token, serverId, dropOptions]),
      'workflows:submit': z.tuple([token, serverId, dropOptions.extend({ uploadInputs: z.boolean() })]),
      'workflows:discard': z.tuple([token]),
    },
  };
}
