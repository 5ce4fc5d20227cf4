// The MCP server as an agent runs it: a real child process (the headless entry's `mcp` command) on stdio, driven by
// the SDK's own Client. Tool answers come back as either the structured answer or the failure's code and message.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, type CallToolResult, type JSONRPCMessage, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { ERROR_META_KEY } from '../../electron/mcp/mcp-server.js';

export type Answer = Record<string, unknown>;

export type ToolOutcome =
  | { readonly ok: true; readonly answer: Answer; readonly result: CallToolResult }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly problems: readonly Record<string, unknown>[]; readonly details?: Answer; readonly text: string };

export interface McpSession {
  readonly client: Client;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  /**
   * Every message the server sent so far, in the order it arrived. The SDK's client hands a notification to its
   * handler a microtask later but takes an answer at once (and forgets the request's progress handler), so a last
   * progress notification read in the same chunk as the answer never reaches `onprogress`: the order the server kept
   * is checked here.
   */
  wire(): readonly JSONRPCMessage[];
  call(name: string, args: Answer, options?: { onprogress?: (progress: Progress) => void; timeout?: number }): Promise<ToolOutcome>;
  /** A call expected to succeed: its structured answer (fails the test with the failure otherwise). */
  ok(name: string, args: Answer, options?: { onprogress?: (progress: Progress) => void; timeout?: number }): Promise<Answer>;
  /** A call expected to fail: its failure. */
  fails(name: string, args: Answer): Promise<Extract<ToolOutcome, { ok: false }>>;
  close(): Promise<void>;
}

/** The source entry through tsx; the conformance suite gives the built bundle instead. */
const SOURCE_ENTRY = ['--import', 'tsx', 'electron/headless.ts'];

/** Starts `mcp` with these arguments (add `--data-dir`) and environment variables; closed after the test. */
export async function startMcp(
  t: { after: (fn: () => Promise<void>) => void },
  args: readonly string[],
  env: Record<string, string> = {},
  entry: readonly string[] = SOURCE_ENTRY,
): Promise<McpSession> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [...entry, 'mcp', ...args], stderr: 'pipe', cwd: process.cwd(), env: { ...getDefaultEnvironment(), ...env } });
  let errText = '';
  transport.stderr?.on('data', (chunk: Buffer) => (errText += chunk.toString()));
  const client = new Client({ name: 'comfy-tray-test', version: '1.0.0' });
  await client.connect(transport);
  const wire: JSONRPCMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    wire.push(message);
    deliver?.(message);
  };
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await client.close();
  };
  t.after(close);
  const call: McpSession['call'] = async (name, toolArgs, options = {}) => {
    const result = (await client.callTool({ name, arguments: toolArgs }, CallToolResultSchema, {
      ...(options.onprogress && { onprogress: options.onprogress, resetTimeoutOnProgress: true }),
      timeout: options.timeout ?? 60_000,
    })) as CallToolResult;
    if (result.isError !== true) return { ok: true, answer: (result.structuredContent ?? {}) as Answer, result };
    const meta = result._meta?.[ERROR_META_KEY] as { code?: string; message?: string; problems?: Record<string, unknown>[]; details?: Answer } | undefined;
    const text = result.content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');
    return { ok: false, code: meta?.code ?? '(no code)', message: meta?.message ?? text, problems: meta?.problems ?? [], ...(meta?.details && { details: meta.details }), text };
  };
  return {
    client,
    stderr: () => errText,
    wire: () => wire,
    call,
    ok: async (name, toolArgs, options) => {
      const outcome = await call(name, toolArgs, options);
      if (!outcome.ok) throw new Error(`${name} failed: ${outcome.text}\nstderr: ${errText}`);
      return outcome.answer;
    },
    fails: async (name, toolArgs) => {
      const outcome = await call(name, toolArgs);
      if (outcome.ok) throw new Error(`${name} was expected to fail, answered ${JSON.stringify(outcome.answer)}`);
      return outcome;
    },
    close,
  };
}

/** The app's settings file in a data folder, as the app writes it (electron-store's `settings` key). */
export async function writeAppSettings(dataDir: string, settings: Answer): Promise<void> {
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ settings }));
}
