// Which URLs the app hands to the user's browser. The rule is pure (no Electron) so every case is tested in Node:
// http(s) only, on a configured server (inside its path prefix when it sits behind a proxy), and never with
// credentials in it (a server URL may carry `user:password@`; the browser asks for them itself). The app links to
// nothing else, so nothing else is allowed: a site we do not run is not one the app should open.

/** Decides whether a parsed http(s) URL, already stripped of credentials, may be opened. */
export type UrlRule = (url: URL) => boolean;

export type ExternalUrlRefusal = 'URL_INVALID' | 'URL_SCHEME_REFUSED' | 'URL_NOT_ALLOWED';

export type ExternalUrlCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly code: ExternalUrlRefusal };

/** The URL to open (normalized, without credentials), or why it is refused. */
export function checkExternalUrl(text: string, isConfigured: UrlRule): ExternalUrlCheck {
  let url: URL;
  try {
    // The URL parser trims surrounding spaces, drops tabs and newlines, and lowercases scheme and host, so
    // `JavaScript:` or ` HTTP://Host/` reach the checks below in their canonical form.
    url = new URL(text);
  } catch {
    return { ok: false, code: 'URL_INVALID' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, code: 'URL_SCHEME_REFUSED' };
  url.username = '';
  url.password = '';
  if (!isConfigured(url)) return { ok: false, code: 'URL_NOT_ALLOWED' };
  return { ok: true, url: url.href };
}

/**
 * True when `url` is on `base`'s origin and inside its path: `https://host/comfy` allows `/comfy` and `/comfy/…`,
 * not `/comfyui` nor `/admin`. Dot segments (`/comfy/../admin`, also percent-encoded) are resolved by the URL
 * parser before the comparison.
 */
export function isUnderBase(url: URL, base: string): boolean {
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
  } catch {
    return false;
  }
  if (url.origin !== baseUrl.origin || url.origin === 'null') return false;
  const prefix = baseUrl.pathname.endsWith('/') ? baseUrl.pathname : `${baseUrl.pathname}/`;
  return url.pathname === prefix.slice(0, -1) || url.pathname.startsWith(prefix);
}

/** The rule for the configured servers: a URL inside any of their base URLs (read when asked, so edits apply). */
export function underAnyBase(bases: () => readonly string[]): UrlRule {
  return (url) => bases().some((base) => isUnderBase(url, base));
}

/** Opens `text` with `open` when the rule allows it; true when it was opened. */
export async function openCheckedUrl(text: string, isConfigured: UrlRule, open: (url: string) => Promise<void>): Promise<boolean> {
  const checked = checkExternalUrl(text, isConfigured);
  if (!checked.ok) return false;
  await open(checked.url);
  return true;
}
