// Where a saved output goes, from a user-editable template such as `{server}/{date}/{filename}`. Tokens are filled
// with sanitised values (server text can never add a folder level or climb out); the template's own `/` are the
// only folder separators. Templates are validated once, when configured, so a typo fails loudly and early.
import { ComfyTrayError } from '../errors.js';
import { sanitizeComponent, sanitizeSubpath, splitExtension } from './path-safety.js';

export const TEMPLATE_TOKENS = ['server', 'date', 'time', 'job', 'node', 'index', 'filename', 'subfolder', 'workflow'] as const;
export type TemplateToken = (typeof TEMPLATE_TOKENS)[number];
export type TemplateValues = Record<TemplateToken, string>;

export const DEFAULT_TEMPLATE = '{server}/{date}/{filename}';

const TOKEN = /\{([^{}]*)\}/g;

/** Throws OUTPUT_TEMPLATE_INVALID with one sentence about what is wrong. */
export function validateTemplate(template: string): void {
  const fail = (why: string): never => {
    throw new ComfyTrayError('OUTPUT_TEMPLATE_INVALID', `Invalid output file template "${template}": ${why}`);
  };
  if (template.trim() === '') fail('it is empty');
  for (const match of template.matchAll(TOKEN)) {
    if (!(TEMPLATE_TOKENS as readonly string[]).includes(match[1]!)) fail(`unknown token {${match[1]}} (known: ${TEMPLATE_TOKENS.map((t) => `{${t}}`).join(' ')})`);
  }
  if (/[{}]/.test(template.replace(TOKEN, ''))) fail('unbalanced { or }');
  if (/^([/\\]|[a-z]:)/i.test(template)) fail('it must be relative to the output folder');
  const parts = template.split(/[/\\]/);
  if (parts.some((part) => part.trim() === '..' || part.trim() === '.')) fail('it must not contain . or .. folders');
  if ((parts.at(-1) ?? '').trim() === '') fail('it must end with a file name');
}

/**
 * The path below the output folder as sanitised components, the last one the file name. A `{subfolder}` expands to
 * its own (sanitised) folders; a folder level that comes out empty is dropped. When the file-name part does not use
 * `{filename}`, the server file's extension is kept so the bytes stay openable.
 */
export function renderTemplate(template: string, values: TemplateValues): string[] {
  const parts = template.split(/[/\\]/);
  const segments: string[] = [];
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    // Only a folder level that is exactly `{subfolder}` keeps the server's nesting; mixed with text it is flattened.
    if (!last && part.trim() === '{subfolder}') {
      segments.push(...sanitizeSubpath(values.subfolder));
      return;
    }
    let rendered = part.replace(TOKEN, (_whole, token: string) => tokenValue(token as TemplateToken, values));
    if (last) {
      if (!part.includes('{filename}')) rendered += splitExtension(sanitizeComponent(values.filename)).ext;
      segments.push(sanitizeComponent(rendered, 'output'));
    } else if (rendered.trim() !== '') {
      segments.push(sanitizeComponent(rendered));
    }
  });
  return segments;
}

function tokenValue(token: TemplateToken, values: TemplateValues): string {
  // `/` inside a value must not create folders: flatten it before the component is sanitised as a whole.
  const value = values[token].replace(/[/\\]+/g, '_');
  return token === 'filename' ? sanitizeComponent(value, 'output') : value;
}

/** Local date and time of a moment, in forms valid in file names everywhere (no `:`). */
export function dateTokens(ms: number): { date: string; time: string } {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return {
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`,
  };
}
