// Access to the transcripts recorded from real ComfyUI servers (test/fixtures/comfyui-real).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { REAL_FIXTURES_URL } from './real-fixtures.js';

export const RECORDED_ROOT = fileURLToPath(REAL_FIXTURES_URL);
export const RECORDED_VERSIONS = ['0.28.0', '0.3.54'] as const;
export type RecordedVersion = (typeof RECORDED_VERSIONS)[number];

export interface WsLine {
  readonly t: number;
  readonly dt: number;
  readonly event?: 'open' | 'close' | 'sent';
  readonly msg?: { type: string; data: unknown };
  readonly raw?: string;
  readonly binary?: boolean;
  readonly length?: number;
  readonly event_type?: number;
  readonly image_format?: number;
  readonly metadata?: Record<string, unknown>;
  readonly metadata_length?: number;
  readonly image_first8_hex?: string;
}

export interface HttpLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly request_body?: unknown;
  readonly body?: unknown;
  readonly body_raw?: string;
  readonly label?: string;
}

export function scenarios(version: RecordedVersion): string[] {
  return readdirSync(join(RECORDED_ROOT, version)).sort();
}

export function scenarioDir(version: RecordedVersion, scenario: string): string {
  return join(RECORDED_ROOT, version, scenario);
}

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

export function wsTranscripts(version: RecordedVersion, scenario: string): Map<string, WsLine[]> {
  const dir = scenarioDir(version, scenario);
  const result = new Map<string, WsLine[]>();
  for (const name of readdirSync(dir)) {
    const match = /^ws-(.+)\.jsonl$/.exec(name);
    if (match) result.set(match[1]!, readJsonl<WsLine>(join(dir, name)));
  }
  return result;
}

export function httpTranscript(version: RecordedVersion, scenario: string): HttpLine[] {
  const path = join(scenarioDir(version, scenario), 'http.jsonl');
  return existsSync(path) ? readJsonl<HttpLine>(path) : [];
}

export function notes(version: RecordedVersion, scenario: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(scenarioDir(version, scenario), 'notes.json'), 'utf8')) as Record<string, unknown>;
}

/** The exact text the server sent for a recorded text frame (raw keeps integers JSON.parse would round). */
export function frameText(line: WsLine): string {
  return line.raw ?? JSON.stringify(line.msg);
}

/** Rebuilds a recorded binary frame from its stored header fields (the image bytes are not stored). */
export function binaryFrame(line: WsLine): Buffer {
  const image = Buffer.from(line.image_first8_hex ?? '', 'hex');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(line.event_type ?? 0, 0);
  if (line.event_type === 4) {
    const meta = Buffer.from(JSON.stringify(line.metadata ?? {}), 'utf8');
    head.writeUInt32BE(meta.length, 4);
    return Buffer.concat([head, meta, image]);
  }
  head.writeUInt32BE(line.image_format ?? 1, 4);
  return Buffer.concat([head, image]);
}
