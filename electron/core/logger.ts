// Named loggers, quiet by default. Never pass credentials or whole prompts to them: they may end up in files.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export type LogSink = (entry: { level: Exclude<LogLevel, 'silent'>; name: string; message: string; details?: Record<string, unknown> }) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let threshold: LogLevel = 'warn';
let sink: LogSink = ({ level, name, message, details }) => {
  const line = `[${new Date().toISOString()}] ${level.toUpperCase()} ${name}: ${message}`;
  process.stderr.write(details ? `${line} ${safeStringify(details)}\n` : `${line}\n`);
};

export function configureLogging(options: { level?: LogLevel; sink?: LogSink }): void {
  if (options.level) threshold = options.level;
  if (options.sink) sink = options.sink;
}

export function createLogger(name: string): Logger {
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, details?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[threshold]) return;
    sink(details ? { level, name, message, details } : { level, name, message });
  };
  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '[unserialisable]';
  }
}
