// Small helpers shared by the bench scripts: medians, option parsing, markdown tables, and one JSON file per
// bench under bench/results/ (scripts/run-bench.mjs prints them together at the end).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `--name=value` from the command line, else the environment variable, else the default. */
export function numberOption(name: string, env: string, fallback: number): number {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  const raw = arg?.slice(prefix.length) ?? process.env[env];
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** 412345 → "412k"; keeps tables readable without hiding the order of magnitude. */
export function kilo(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 10_000 ? `${fmt(value / 1000)}k` : fmt(value);
}

export function mb(bytes: number, digits = 1): string {
  return `${fmt(bytes / (1024 * 1024), digits)} MB`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function machine(): { node: string; cpus: number; cpuModel: string } {
  const list = cpus();
  return { node: process.version, cpus: list.length, cpuModel: list[0]?.model.trim() ?? 'unknown' };
}

export function saveResult(name: string, result: { markdown: string; data: unknown }): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(new URL(`${name}.json`, `file://${RESULTS_DIR}`), `${JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), ...result }, null, 2)}\n`);
  writeFileSync(new URL(`${name}.md`, `file://${RESULTS_DIR}`), `${result.markdown}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
