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
  | 'JOB_PROMPT_UNAVAILABLE'
  | 'QUEUE_STEERING_UNSUPPORTED'
  | 'QUEUE_REQUEUE_REJECTED'
  | 'CONFIG_INVALID'
  | 'JOURNAL_CORRUPT'
  | 'STORE_WRITE_FAILED'
  | 'DATA_DIR_LOCKED'
  | 'CLI_USAGE'
  | 'OUTPUT_PATH_ESCAPE'
  | 'OUTPUT_TEMPLATE_INVALID'
  | 'OUTPUT_FOLDER_MISSING'
  | 'OUTPUT_DISK_FULL'
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

  constructor(status: number, url: string, body: string) {
    const code = status === 401 || status === 403 ? 'COMFY_AUTH_FAILED' : 'COMFY_HTTP_STATUS';
    super(code, `HTTP ${status} from ${url}${body ? `: ${firstLine(body, 200)}` : ''}`);
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
