// The output file template as the settings form sees it: the same rules as the saver (electron/core/outputs/
// file-template.ts, which cannot be bundled for the browser because it uses node: modules) and a preview of the path
// a sample job would be saved to. The main process validates again with the core's own code.
export const TEMPLATE_TOKENS = ['server', 'date', 'time', 'job', 'node', 'index', 'filename', 'subfolder', 'workflow'] as const;
type Token = (typeof TEMPLATE_TOKENS)[number];
const TOKEN = /\{([^{}]*)\}/g;

/** One sentence about what is wrong with a template, or undefined when the saver accepts it. */
export function templateProblem(template: string): string | undefined {
  if (template.trim() === '') return 'The template is empty';
  if (template.length > 500) return 'The template is longer than 500 characters';
  for (const match of template.matchAll(TOKEN)) {
    if (!(TEMPLATE_TOKENS as readonly string[]).includes(match[1]!)) return `Unknown token {${match[1]}} (known: ${TEMPLATE_TOKENS.map((t) => `{${t}}`).join(' ')})`;
  }
  if (/[{}]/.test(template.replace(TOKEN, ''))) return 'Unbalanced { or }';
  if (/^([/\\]|[a-z]:)/i.test(template)) return 'The template must be relative to the output folder';
  const parts = template.split(/[/\\]/);
  if (parts.some((part) => part.trim() === '..' || part.trim() === '.')) return 'The template must not contain . or .. folders';
  if ((parts.at(-1) ?? '').trim() === '') return 'The template must end with a file name';
  return undefined;
}

export type SampleValues = Record<Token, string>;

export function sampleValues(serverName: string, now: number): SampleValues {
  const d = new Date(now);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return {
    server: serverName,
    date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    time: `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`,
    job: '3f2a9c1e',
    node: '9',
    index: '0',
    filename: 'ComfyUI_00001_.png',
    subfolder: '',
    workflow: 'portrait',
  };
}

const clean = (text: string): string => text.replace(/[<>:"|?*\p{Cc}]/gu, '_').trim();

/** The path a sample output would be saved to, for display only (the saver also sanitises reserved names). */
export function previewPath(folder: string, template: string, values: SampleValues): string | undefined {
  if (templateProblem(template)) return undefined;
  const parts = template.split(/[/\\]/);
  const segments: string[] = [];
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (!last && part.trim() === '{subfolder}') {
      segments.push(...values.subfolder.split(/[/\\]/).map(clean).filter((s) => s !== ''));
      return;
    }
    let rendered = part.replace(TOKEN, (_whole, token: string) => clean(values[token as Token].replace(/[/\\]+/g, '_')));
    if (last && !part.includes('{filename}')) rendered += /\.[^.]+$/.exec(values.filename)?.[0] ?? '';
    if (last || rendered.trim() !== '') segments.push(clean(rendered) || 'output');
  });
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return [folder.replace(/[/\\]+$/, ''), ...segments].join(separator);
}
