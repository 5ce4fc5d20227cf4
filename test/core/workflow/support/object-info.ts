// Loads the real 0.28.0 /object_info recording once per test file; the recording server had no checkpoints, so
// tests add the one their fixtures use.
import { readFileSync } from 'node:fs';
import { parseJson } from '../../../../electron/core/json.js';
import { parseObjectInfo } from '../../../../electron/core/workflow/object-info.js';
import type { ObjectInfo } from '../../../../electron/core/workflow/object-info.js';
import { REAL_FIXTURES_URL } from '../../../support/real-fixtures.js';

const OBJECT_INFO = new URL('0.28.0/15_endpoints/object_info.json', REAL_FIXTURES_URL);

let raw: Record<string, unknown> | undefined;

export function rawObjectInfo(): Record<string, unknown> {
  raw ??= parseJson(readFileSync(OBJECT_INFO, 'utf8'), { exactIntegers: true }) as Record<string, unknown>;
  return structuredClone(raw);
}

export function realObjectInfo(checkpoints: string[] = ['model.safetensors']): ObjectInfo {
  const value = rawObjectInfo() as { CheckpointLoaderSimple: { input: { required: { ckpt_name: [string[], unknown] } } } };
  value.CheckpointLoaderSimple.input.required.ckpt_name[0] = checkpoints;
  return parseObjectInfo(value).info;
}

export function fixture(name: string): unknown {
  return parseJson(readFileSync(new URL(`../../../fixtures/workflow/${name}`, import.meta.url), 'utf8'), { exactIntegers: true });
}
