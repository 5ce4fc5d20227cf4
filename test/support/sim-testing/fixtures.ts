// Reading the recorded real-server transcripts (test/fixtures/comfyui-real beside the repo checkout).
import { readFileSync } from 'node:fs';
import type { SimGeneration } from '../simulator/types.js';
import { REAL_FIXTURES_URL } from '../real-fixtures.js';

export const FIXTURES = REAL_FIXTURES_URL;

export type FixtureVersion = '0.28.0' | '0.3.54';

export function versionOf(generation: SimGeneration): FixtureVersion {
  return generation === 'modern' ? '0.28.0' : '0.3.54';
}

export type WsEntry = { kind: 'text'; type: string; data: Record<string, unknown> } | { kind: 'binary'; eventType: number; bytes?: Buffer };

export interface HttpExchange {
  method: string;
  path: string;
  label?: string;
  status: number;
  request_body?: unknown;
  headers: Record<string, string>;
  body: unknown;
}

function readLines(url: URL): Record<string, unknown>[] {
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function scenarioUrl(version: FixtureVersion, scenario: string, file: string): URL {
  return new URL(`${version}/${scenario}/${file}`, FIXTURES);
}

/** Frames one socket received (connection events and client sends left out). */
export function wsTranscript(version: FixtureVersion, scenario: string, label: string): WsEntry[] {
  const out: WsEntry[] = [];
  for (const line of readLines(scenarioUrl(version, scenario, `ws-${label}.jsonl`))) {
    if (line.binary === true) out.push({ kind: 'binary', eventType: Number(line.event_type) });
    else if (line.msg && !line.event) {
      const msg = line.msg as { type: string; data: Record<string, unknown> };
      out.push({ kind: 'text', type: msg.type, data: msg.data });
    }
  }
  return out;
}

/** The messages a fixture client sent on its socket. */
export function wsSent(version: FixtureVersion, scenario: string, label: string): unknown[] {
  return readLines(scenarioUrl(version, scenario, `ws-${label}.jsonl`))
    .filter((line) => line.event === 'sent')
    .map((line) => line.msg);
}

export function httpTranscript(version: FixtureVersion, scenario: string): HttpExchange[] {
  return readLines(scenarioUrl(version, scenario, 'http.jsonl')) as unknown as HttpExchange[];
}

/** The exchange with that label, or the n-th one with that method + path prefix. */
export function exchange(list: HttpExchange[], match: string | { method: string; path: string; index?: number }): HttpExchange {
  const found =
    typeof match === 'string'
      ? list.find((e) => e.label === match)
      : list.filter((e) => e.method === match.method && e.path.startsWith(match.path))[match.index ?? 0];
  if (!found) throw new Error(`fixture exchange not found: ${JSON.stringify(match)}`);
  return found;
}

export function notes(version: FixtureVersion, scenario: string): Record<string, unknown> {
  return JSON.parse(readFileSync(scenarioUrl(version, scenario, 'notes.json'), 'utf8')) as Record<string, unknown>;
}

export function fixtureFile(version: FixtureVersion, scenario: string, file: string): string {
  return readFileSync(scenarioUrl(version, scenario, file), 'utf8');
}
