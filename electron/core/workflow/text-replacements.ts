// The editor replaces `%date:…%` and `%Title.widget%` in file name prefixes in the browser before submitting; the
// server only knows its own tokens (%width%, %year%, %batch_num%…), which are left alone here.

export interface TitledValues {
  /** "Node name for S&R" first, then title → widget name → value; undefined when not found. */
  lookup(title: string, widget: string): unknown;
}

const TOKEN = /%([^%]+)%/g;
const DATE_PART = /yyyy|yy|MM|M|dd|d|hh|h|mm|m|ss|s/g;

export function isPrefixInput(name: string): boolean {
  return name === 'filename_prefix' || name.endsWith('_filename_prefix');
}

export function applyTextReplacements(text: string, values: TitledValues, now: Date): string {
  return text.replace(TOKEN, (match: string, body: string) => {
    const parts = body.split('.');
    // Same precedence as the editor: a token with exactly one dot is a node lookup, even if it starts with "date:".
    if (parts.length !== 2) return body.startsWith('date:') ? formatDate(body.slice(5), now) : match;
    const value = values.lookup(parts[0] ?? '', parts[1] ?? '');
    if (value === undefined || value === null || typeof value === 'object') return match;
    // A looked-up value must not add directories to the prefix, so slashes become underscores as in the editor.
    return String(value).replace(/[/\\]/g, '_');
  });
}

export function formatDate(pattern: string, now: Date): string {
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  return pattern.replace(DATE_PART, (part) => {
    switch (part) {
      case 'yyyy':
        return String(now.getFullYear());
      case 'yy':
        return pad(now.getFullYear() % 100, 2);
      case 'MM':
        return pad(now.getMonth() + 1, 2);
      case 'M':
        return String(now.getMonth() + 1);
      case 'dd':
        return pad(now.getDate(), 2);
      case 'd':
        return String(now.getDate());
      case 'hh':
        return pad(now.getHours(), 2);
      case 'h':
        return String(now.getHours());
      case 'mm':
        return pad(now.getMinutes(), 2);
      case 'm':
        return String(now.getMinutes());
      case 'ss':
        return pad(now.getSeconds(), 2);
      default:
        return String(now.getSeconds());
    }
  });
}
