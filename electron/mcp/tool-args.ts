// Argument shapes several tools share, with the limits every value from an agent gets.
import { z } from 'zod';

/** Prompt ids are UUIDs on ComfyUI; hosted services have their own, so any short id is accepted and asked for. */
export const promptIdArg = z.string().trim().min(1).max(200).describe('The prompt id (job id) the server gave the job.');

export const serverArg = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .describe('A configured server: its id, its name or its URL (see list_servers). Leave it out to look on every server.');

/** A folder for downloads: no NUL (no file system takes it), and of a length a path can have. */
export const folderArg = z
  .string()
  .min(1)
  .max(4000)
  .refine((text) => !text.includes('\u0000'), { message: 'a folder name cannot hold a NUL character' });

export const unreachableSchema = z.object({ server_id: z.string(), code: z.string(), message: z.string() });
