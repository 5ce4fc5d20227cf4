// Every error the core raises carries a stable `code`; callers and tests branch on codes, never on message text.

export type ErrorCode =
  | 'COMFY_UNREACHABLE'
  | 'COMFY_TIMEOUT'
  | 'COMFY_AUTH_FAILED'
  | 'COMFY_HTTP_STATUS'
  | 'COMFY_BAD_RESPONSE'
  | 'COMFY_RESPONSE_TOO_LARGE'
  | 'COMFY_INCOMPATIBLE'
  | 'COMFY_CONNECT_TIMEOUT'
  | 'COMFY_SOCKET_CLOSED'
  | 'COMFY_SOCKET_DEAF'
  | 'COMFY_PROMPT_REJECTED'
  | 'COMFY_NOT_CONNECTED'
  | 'COMFY_JOB_NOT_FOUND'
  | 'COMFY_TLS_UNTRUSTED'
  | 'COMFY_TLS_FINGERPRINT_MISMATCH'
  | 'COMFY_NO_WEBSOCKET'
  | 'CLOUD_NO_CREDITS'
  | 'CLOUD_SUBSCRIPTION_INACTIVE'
  | 'CLOUD_JOB_FORBIDDEN'
  | 'BACKEND_UNSUPPORTED'
  | 'JOB_PROMPT_UNAVAILABLE'
  | 'QUEUE_STEERING_UNSUPPORTED'
  | 'QUEUE_REQUEUE_REJECTED'
  | 'CONFIG_INVALID'
  /** A stored secret was asked for with a server URL other than the one it was saved for: it must be typed again. */
  | 'SECRET_URL_CHANGED'
  | 'JOURNAL_CORRUPT'
  | 'STORE_WRITE_FAILED'
  | 'DATA_DIR_LOCKED'
  | 'CLI_USAGE'
  /** An argument from outside (an MCP tool call) that does not fit its schema; the message names the field. */
  | 'ARGUMENT_INVALID'
  /** The caller (an MCP client) cancelled the request before it was done. */
  | 'REQUEST_CANCELLED'
  /** A server named (by id, name or URL) that is not among the configured ones. */
  | 'SERVER_UNKNOWN'
  | 'OUTPUT_PATH_ESCAPE'
  | 'OUTPUT_TEMPLATE_INVALID'
  | 'OUTPUT_FOLDER_MISSING'
  /** A system folder (autostart, binaries, the app's data, a drive root, the home folder) chosen for outputs. */
  | 'OUTPUT_FOLDER_REFUSED'
  /** An output folder the window named that the user did not choose in the folder picker. */
  | 'OUTPUT_FOLDER_NOT_CHOSEN'
  /** A download folder outside every folder downloads may go to (the app's output folders, --output-dir ones). */
  | 'OUTPUT_FOLDER_NOT_ALLOWED'
  | 'OUTPUT_DISK_FULL'
  | 'OUTPUT_TOO_LARGE'
  | 'OUTPUT_PERMISSION_DENIED'
  | 'OUTPUT_WRITE_FAILED'
  | 'OUTPUT_NOT_FOUND'
  | 'OUTPUT_TRUNCATED';

export class ComfyTrayError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ComfyTrayError';
    this.code = code;
  }
}

export class HttpStatusError extends ComfyTrayError {
  readonly status: number;
  readonly body: string;

  /** `meaning` is for services whose statuses say more than HTTP's (Comfy Cloud: 402 = no credits). */
  constructor(status: number, url: string, body: string, meaning?: { code: ErrorCode; message: string }) {
    const code = meaning?.code ?? (status === 401 || status === 403 ? 'COMFY_AUTH_FAILED' : 'COMFY_HTTP_STATUS');
    super(code, meaning?.message ?? `HTTP ${status} from ${url}${body ? `: ${firstLine(body, 200)}` : ''}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
  }
}

export function errorCode(error: unknown): ErrorCode | undefined {
  return error instanceof ComfyTrayError ? error.code : undefined;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function firstLine(text: string, max = 300): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
