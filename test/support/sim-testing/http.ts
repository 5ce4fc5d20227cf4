// Small fetch helpers for simulator tests.
export interface Reply {
  status: number;
  contentType: string;
  text: string;
  bytes: Buffer;
  /** Parsed JSON body (undefined when the body is not JSON). */
  json: unknown;
}

export async function call(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const res = await fetch(new URL(path.replace(/^\//, ''), baseUrl), init);
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, bytes, json };
}

export function wsUrl(baseUrl: string, clientId?: string, path = 'ws'): string {
  const url = new URL(path, baseUrl.replace(/^http/, 'ws'));
  if (clientId !== undefined) url.searchParams.set('clientId', clientId);
  return url.toString();
}
