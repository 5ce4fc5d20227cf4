// Trusting one self-signed certificate by its SHA-256 fingerprint, for HTTP (undici) and the socket (ws) alike. The
// chain is not checked (a self-signed certificate has none); instead the server must present exactly the pinned
// certificate, and that is checked before a single byte of a request (or its credentials) is written.
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type ConnectionOptions } from 'node:tls';
import type { buildConnector as BuildConnector } from 'undici';
import { buildConnector } from './undici-parts.js';
import { ComfyTrayError } from '../errors.js';

/** `AB:CD:…` (32 bytes, upper case), the form Node and browsers show; undefined when `text` is not a SHA-256. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha-?256\s*(fingerprint)?\s*[:=]?\s*/i, '')
    .replace(/[\s:]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

/** Why a connected TLS socket is not the pinned server, or undefined when it is. */
export function pinMismatch(socket: TLSSocket, fingerprint: string): ComfyTrayError | undefined {
  const presented = socket.getPeerCertificate().fingerprint256;
  if (presented !== undefined && presented.toUpperCase() === fingerprint) return undefined;
  return new ComfyTrayError(
    'COMFY_TLS_FINGERPRINT_MISMATCH',
    `the server's certificate${presented ? ` (SHA-256 ${presented})` : ''} is not the one whose fingerprint is trusted in its settings`,
  );
}

/**
 * An undici connector that hands a socket to undici only once the pinned certificate is verified. TLS sessions are
 * not cached: every connection shows its certificate again.
 */
export function pinnedConnector(fingerprint: string, timeoutMs?: number): BuildConnector.connector {
  const connect = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0, ...(timeoutMs !== undefined && { timeout: timeoutMs }) });
  return (options, callback) => {
    connect(options, (error, socket) => {
      if (error !== null) {
        callback(error, null);
        return;
      }
      const problem = socket instanceof TLSSocket ? pinMismatch(socket, fingerprint) : undefined;
      if (problem) {
        socket.destroy();
        callback(problem, null);
        return;
      }
      callback(null, socket);
    });
  };
}

type SocketCallback = (error: Error | null, socket?: Socket) => void;

/**
 * For `ws` (through Node's `ClientRequest`, which accepts a connection made later through its callback): the socket
 * is given to the request only after the pinned certificate is verified, so the upgrade request never reaches an
 * impostor.
 */
export function pinnedSocketConnection(fingerprint: string): (options: ConnectionOptions & { host?: string }, done: SocketCallback) => undefined {
  return (options, done) => {
    // ws passes its handshake timeout: the request's own timer starts only once it has a socket.
    const timeoutMs = options.timeout;
    const host = options.host ?? '';
    const socket = tlsConnect({
      ...options,
      rejectUnauthorized: false,
      // As ws does: SNI with a host name, never with an IP address.
      ...(options.servername === undefined && isIP(host) === 0 && host !== '' && { servername: host }),
    });
    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      if (error) {
        socket.destroy();
        done(error);
      } else {
        done(null, socket);
      }
    };
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      settle(pinMismatch(socket, fingerprint) ?? null);
    });
    socket.once('error', (error) => settle(error));
    if (timeoutMs !== undefined && timeoutMs > 0) {
      socket.setTimeout(timeoutMs, () => settle(new ComfyTrayError('COMFY_CONNECT_TIMEOUT', `no TLS handshake within ${timeoutMs} ms`)));
    }
    return undefined;
  };
}

/** Node's codes for a certificate that does not verify (self-signed, unknown issuer, expired, wrong host name). */
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isUntrustedCertificateCode(code: string | undefined): boolean {
  return code !== undefined && UNTRUSTED_CODES.has(code);
}

/**
 * The SHA-256 of the certificate a server presents, read without trusting it (nothing is sent): what Test connection
 * shows next to an untrusted certificate, for the user to compare with the server's before pinning it.
 */
export function presentedFingerprint(url: URL, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tlsConnect({ host, port: Number(url.port || 443), rejectUnauthorized: false, ...(isIP(host) === 0 && { servername: host }) });
    const done = (value: string | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('secureConnect', () => done(socket.getPeerCertificate().fingerprint256));
    socket.once('error', () => done(undefined));
  });
}
