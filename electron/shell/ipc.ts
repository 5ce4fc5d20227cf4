// IPC handlers, registered through one typed helper: unknown senders are refused and arguments are validated
// before any handler runs.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod';
import type { InvokeChannel, InvokeMap } from '../shared/ipc-contract.js';

export type Handlers = { [C in InvokeChannel]: (...args: InvokeMap[C]['args']) => Promise<InvokeMap[C]['result']> | InvokeMap[C]['result'] };
export type ArgSchemas = { [C in InvokeChannel]: z.ZodType<InvokeMap[C]['args']> };

export function registerHandlers(ipcMain: IpcMain, handlers: Handlers, schemas: ArgSchemas, isOurWindow: (sender: WebContents) => boolean): void {
  for (const channel of Object.keys(handlers) as InvokeChannel[]) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isOurWindow(event.sender)) throw new Error(`IPC ${channel} refused: unknown sender`);
      const parsed = schemas[channel].safeParse(args);
      if (!parsed.success) throw new Error(`IPC ${channel} refused: invalid arguments`);
      const handler = handlers[channel] as (...a: unknown[]) => unknown;
      return handler(...(parsed.data as unknown[]));
    });
  }
}
