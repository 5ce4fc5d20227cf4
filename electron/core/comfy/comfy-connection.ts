// One live connection to one ComfyUI server: HTTP probe, WebSocket with the feature-flag handshake, liveness
// checks, and reconnection forever. It reports what it hears; it does not interpret jobs (the tracker does).
import { randomUUID } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';
import type { ConnectionStateName, ErrorView, ServerView } from '../../shared/app-state.js';
import { Emitter } from '../emitter.js';
import { ComfyTrayError, HttpStatusError, errorCode, errorMessage } from '../errors.js';
import { createLogger } from '../logger.js';
import { decodeBinaryFrame } from './binary-frames.js';
import type { createConnection } from 'node:net';
import type { ServerIdentity } from './capabilities.js';
import { COMFYUI_DIALECT, type ConnectionDialect } from './connection-dialect.js';
import { needsTheUser } from './connection-failures.js';
import { type ComfyHttp, networkError } from './http-client.js';
import { FrameCoalescer } from './frame-coalescer.js';
import { decodeTextFrame, type ServerMessage } from './messages.js';
import { OutageWatch } from './outage-watch.js';
import { portTarget } from './port-check.js';
import { CONNECTION_DEFAULTS, type ConnectionTimings, retryDelay } from './reconnect-policy.js';
import { socketUrl, type ResolvedServer } from './server-config.js';
import { pinnedSocketConnection } from './tls-pinning.js';

/** Remembers the last client id per server and whether its socket is known to be closed on the server side. */
export interface ClientIdStore {
  get(serverId: string): { clientId: string; closedCleanly: boolean } | undefined;
  set(serverId: string, record: { clientId: string; closedCleanly: boolean }): void;
}

/** The connection part of a server's view, plus the client id live events are addressed to. */
export type ConnectionInfo = Omit<ServerView, 'id' | 'name' | 'url'> & { readonly clientId?: string };

export interface ConnectionEvents {
  state: ConnectionInfo;
  message: ServerMessage;
  /** Every successful (re)connect: the moment to reconcile. */
  connected: { clientId: string; reusedClientId: boolean };
  /** The HTTP probe read the queue size (a cheap, slow safety net for reconciliation). */
  probe: { queueRemaining: number };
}

export interface ConnectionStats {
  frames: number;
  malformed: number;
  unknown: number;
  reconnects: number;
  deafDetections: number;
  halfOpenDetections: number;
  /** Bare TCP checks of the port while the server was down (outage-watch.ts). */
  portChecks: number;
  /** Progress frames and previews dropped, superseded by a newer one in the same read (frame-coalescer.ts). */
  superseded: number;
  /** Of `superseded`, the previews. */
  supersededPreviews: number;
}

/** What we ask for in the handshake; preview metadata switches preview frames to type 4 (with prompt/node ids). */
export const CLIENT_FEATURE_FLAGS = { supports_preview_metadata: true };

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Upgrades that failed without an answer (reset, timeout) in a row, with HTTP working, before polling instead. */
const SOFT_REFUSALS_BEFORE_POLLING = 2;
const SOFT_REFUSAL_CODES = new Set(['COMFY_UNREACHABLE', 'COMFY_CONNECT_TIMEOUT', 'COMFY_SOCKET_CLOSED']);

export class ComfyConnection {
  readonly events = new Emitter<ConnectionEvents>((error) => this.log.error('listener failed', { error: errorMessage(error) }));
  readonly stats: ConnectionStats = { frames: 0, malformed: 0, unknown: 0, reconnects: 0, deafDetections: 0, halfOpenDetections: 0, portChecks: 0, superseded: 0, supersededPreviews: 0 };
  private readonly timings: ConnectionTimings;
  private readonly log;
  private info: ConnectionInfo = { state: 'connecting' };
  private socket: WebSocket | undefined;
  private running = false;
  /** Generation of the connect attempt in flight, if any: one connect at a time. */
  private connectingGeneration: number | undefined;
  private generation = 0;
  private attempt = 0;
  private everConnected = false;
  private droppedAt: number | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private lastStatusAt = 0;
  private lastStatusQueue: number | undefined;
  private statusSeq = 0;
  private probeMismatches = 0;
  private probeFailures = 0;
  private awaitingPong = false;
  private probing = false;
  private readonly random: () => number;
  private readonly outage: OutageWatch;
  private readonly coalescer = new FrameCoalescer(
    (text) => this.handleCoalesced(decodeTextFrame(text)),
    undefined,
    (message) => this.handleCoalesced(message),
  );
  /** Following by polling: HTTP works, the socket upgrade does not (a proxy refuses it). */
  private polling = false;
  private softRefusals = 0;
  private identity: ServerIdentity | undefined;
  private readonly dialect: ConnectionDialect;
  /** While down, the port is watched (outage-watch.ts) rather than attempts made on the backoff. */
  private readonly watchPort: boolean;
  /** The last attempt failed at the upgrade, HTTP having answered: retried on the backoff, not after a port check. */
  private upgradeFailedSoftly = false;

  constructor(
    private readonly server: ResolvedServer,
    private readonly http: ComfyHttp,
    private readonly clientIds: ClientIdStore,
    /** `watchPortWhileDown: false`: a failed attempt is retried on the backoff even where the dialect watches the port. */
    options: { timings?: Partial<ConnectionTimings>; random?: () => number; dialect?: ConnectionDialect; watchPortWhileDown?: boolean } = {},
  ) {
    this.timings = { ...CONNECTION_DEFAULTS, ...options.timings };
    this.dialect = options.dialect ?? COMFYUI_DIALECT;
    this.watchPort = options.watchPortWhileDown !== false && this.dialect.watchPortWhileDown;
    this.random = options.random ?? Math.random;
    this.log = createLogger(`Connection ${server.name}`);
    this.outage = new OutageWatch(portTarget(server.baseUrl), this.timings, this.random, () => this.stats.portChecks++);
  }

  get current(): ConnectionInfo {
    return this.info;
  }

  get clientId(): string | undefined {
    return this.info.clientId;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.setInfo({ state: 'connecting' });
    void this.connect();
  }

  async stop(): Promise<void> {
    this.coalescer.flush();
    this.running = false;
    this.polling = false;
    this.generation++;
    this.connectingGeneration = undefined;
    this.clearTimers();
    this.outage.end();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await this.closeCleanly(socket);
  }

  /**
   * After sleep or a network change: if connected, verify the socket at once (a quick ping and probe) instead of
   * waiting for the next timer; if not, retry now with the backoff reset.
   */
  reconnectNow(): void {
    if (!this.running) return;
    this.attempt = 0;
    if (this.polling) {
      void this.poll();
      void this.retryUpgrade();
      return;
    }
    if (this.socket && this.info.state === 'connected') {
      this.sendPing(Math.min(this.timings.pongTimeoutMs, 3_000));
      void this.probe();
      return;
    }
    this.clearTimer('retry');
    void this.connect();
  }

  /**
   * Another request (a listing, a lookup) showed what retrying cannot mend (a revoked key, no credits): the connection
   * shows it as its state and asks again only slowly, as when its own probe finds it.
   */
  reportFailure(error: unknown): void {
    if (!this.running || !needsTheUser(errorCode(error))) return;
    if (this.polling) this.stopPolling(error);
    else if (this.socket) this.dropSocket('auth', errorMessage(error), error);
  }

  /** Call before POST /prompt; pass the token to `afterSubmit` once the server accepted it. */
  beforeSubmit(): number {
    return this.statusSeq;
  }

  /** The server broadcasts `status` for every queued prompt; silence afterwards means our socket is deaf. */
  afterSubmit(token: number): void {
    if (!this.dialect.statusAfterSubmit || this.statusSeq !== token || !this.socket) return;
    this.setTimer('submit-watch', this.timings.statusAfterSubmitMs, () => {
      if (this.statusSeq === token && this.socket) this.dropSocket('deaf', 'no status broadcast after our submission');
    });
  }

  private async connect(): Promise<void> {
    if (this.connectingGeneration !== undefined || !this.running || this.socket) return;
    const generation = ++this.generation;
    this.connectingGeneration = generation;
    this.clearTimer('retry');
    this.outage.pause();
    this.upgradeFailedSoftly = false;
    try {
      const identity = await this.dialect.identify(this.http, this.timings.httpTimeoutMs);
      if (generation !== this.generation) return;
      this.identity = identity;
      let opened: Awaited<ReturnType<ComfyConnection['openSocket']>>;
      try {
        opened = await this.openSocket(generation);
      } catch (error) {
        // HTTP answered a moment ago: a refused upgrade is a proxy that does not pass WebSockets, not an outage.
        if (generation === this.generation && this.running && this.upgradeRefused(error)) {
          this.startPolling(identity, error);
          return;
        }
        this.upgradeFailedSoftly = SOFT_REFUSAL_CODES.has(errorCode(error) ?? '');
        throw error;
      }
      const { socket, clientId, reused, serverFlags } = opened;
      if (generation !== this.generation) {
        socket.terminate();
        return;
      }
      this.softRefusals = 0;
      this.socket = socket;
      this.onConnected(identity, clientId, reused, serverFlags);
    } catch (error) {
      if (generation === this.generation && this.running) this.scheduleRetry(error);
    } finally {
      if (this.connectingGeneration === generation) this.connectingGeneration = undefined;
    }
  }

  private openSocket(generation: number): Promise<{ socket: WebSocket; clientId: string; reused: boolean; serverFlags?: Readonly<Record<string, unknown>> }> {
    const previous = this.clientIds.get(this.server.id);
    // Reusing an id whose old socket may still be open on the server gets the new socket deregistered when the old
    // one finally closes (ComfyUI #16010); only a cleanly closed id is safe to reuse.
    const reused = previous?.closedCleanly === true;
    const clientId = reused && previous ? previous.clientId : randomUUID();
    this.clientIds.set(this.server.id, { clientId, closedCleanly: false });

    const credentials = this.dialect.socketCredentials(this.server);
    const fingerprint = this.server.tlsFingerprint;
    const socket = new WebSocket(socketUrl(this.server.baseUrl, clientId, credentials.query), {
      headers: { ...credentials.headers },
      handshakeTimeout: this.timings.handshakeTimeoutMs,
      maxPayload: MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      // ws would close the whole socket (1007) over one text frame that is not valid UTF-8, after scanning every
      // frame to find out. We decode text with Buffer#toString, which turns bad sequences into U+FFFD, and the frame
      // is then parsed and checked like any other: at worst it is malformed and counted, and the connection stays up
      // (one bad frame never breaks a connection). Nothing reads a frame's raw bytes as text, so skip the scan.
      skipUTF8Validation: true,
      // Never: a redirect would carry the credentials (headers and token) wherever it points.
      followRedirects: false,
      // Node's request takes a connection handed over later: only once the pinned certificate is verified.
      ...(fingerprint !== undefined && { createConnection: pinnedSocketConnection(fingerprint) as unknown as typeof createConnection }),
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      let statusSeen = false;
      let flagsTimer: NodeJS.Timeout | undefined;
      let serverFlags: Readonly<Record<string, unknown>> | undefined;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(flagsTimer);
        socket.terminate();
        reject(error);
      };
      const succeed = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(flagsTimer);
        resolve({ socket, clientId, reused, ...(serverFlags !== undefined && { serverFlags }) });
      };
      const timer = setTimeout(
        () => fail(new ComfyTrayError('COMFY_CONNECT_TIMEOUT', `${this.server.name}: no handshake within ${this.timings.handshakeTimeoutMs} ms`)),
        this.timings.handshakeTimeoutMs,
      );
      socket.once('unexpected-response', (request, response) => {
        response.resume();
        request.destroy();
        const status = response.statusCode ?? 0;
        fail(
          status === 401 || status === 403
            ? new HttpStatusError(status, `${this.server.name} /ws`, '')
            : new ComfyTrayError('COMFY_NO_WEBSOCKET', `${this.server.name}: the WebSocket upgrade was answered with HTTP ${status} (a proxy that does not pass WebSockets?)`),
        );
      });
      socket.once('open', () => {
        socket.send(JSON.stringify({ type: 'feature_flags', data: CLIENT_FEATURE_FLAGS }));
        if (this.dialect.statusFirst) return;
        // No promised first frame: the open socket is the hello; its feature flags may still come right behind.
        statusSeen = true;
        clearTimeout(timer);
        flagsTimer = setTimeout(succeed, this.timings.featureFlagsWaitMs);
      });
      socket.on('error', (error) => {
        if (!settled) fail(networkError(error, `${this.server.name} /ws`));
        else this.log.debug('socket error', { error: errorMessage(error) });
      });
      socket.on('close', (code) => {
        if (!settled) fail(new ComfyTrayError('COMFY_SOCKET_CLOSED', `${this.server.name}: socket closed during handshake (${code})`));
        else this.onSocketClosed(generation, socket, code);
      });
      socket.on('pong', () => {
        this.awaitingPong = false;
        this.clearTimer('pong');
      });
      socket.on('message', (data: RawData, isBinary: boolean) => {
        if (settled && generation === this.generation) {
          this.receive(data, isBinary);
          return;
        }
        const message = this.decode(data, isBinary);
        if (!settled && !statusSeen) {
          // The server's first frame is always `status` with our sid; anything else first is not ComfyUI.
          if (message.type !== 'status' || message.sid === undefined) return;
          statusSeen = true;
          clearTimeout(timer);
          // Its answer to our feature_flags comes right behind: wait for it (briefly) so that the connection is
          // reported once, with what the server supports, rather than corrected a moment later.
          flagsTimer = setTimeout(succeed, this.timings.featureFlagsWaitMs);
        } else if (!settled && message.type === 'feature_flags') {
          serverFlags = message.flags;
          succeed();
        }
        if (generation === this.generation) this.handleMessage(message);
      });
    });
  }

  private decode(data: RawData, isBinary: boolean): ServerMessage {
    this.stats.frames++;
    const buffer = bufferOf(data);
    return isBinary ? decodeBinaryFrame(buffer) : decodeTextFrame(buffer.toString());
  }

  /** A frame once the handshake is over: progress frames and previews superseded within one read are dropped. */
  private receive(data: RawData, isBinary: boolean): void {
    this.stats.frames++;
    const buffer = bufferOf(data);
    // toString() without an encoding is Node's direct UTF-8 path (the same decoding, minus a lookup per frame).
    if (isBinary) this.coalescer.binary(decodeBinaryFrame(buffer));
    else this.coalescer.text(buffer.toString());
  }

  private handleCoalesced(message: ServerMessage): void {
    this.stats.superseded = this.coalescer.superseded;
    this.stats.supersededPreviews = this.coalescer.supersededPreviews;
    this.handleMessage(message);
  }

  private handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'malformed':
        this.stats.malformed++;
        this.log.debug('malformed frame ignored', { reason: message.reason });
        return;
      case 'unknown':
        this.stats.unknown++;
        return;
      case 'status':
        this.statusSeq++;
        this.lastStatusAt = Date.now();
        this.clearTimer('submit-watch');
        if (message.queueRemaining !== undefined) {
          this.lastStatusQueue = message.queueRemaining;
          if (this.info.queueRemaining !== message.queueRemaining) this.setInfo({ ...this.info, queueRemaining: message.queueRemaining });
        }
        break;
      case 'feature_flags':
        // An answer that came after we stopped waiting for it (the handshake's answer is read in openSocket).
        if (this.info.state === 'connected' && this.info.capabilities) {
          const supportsPreviewMetadata = message.flags.supports_preview_metadata === true;
          if (this.info.capabilities.supportsPreviewMetadata !== supportsPreviewMetadata) {
            this.setInfo({ ...this.info, capabilities: { ...this.info.capabilities, supportsPreviewMetadata } });
          }
        }
        break;
      default:
        break;
    }
    this.events.emit('message', message);
  }

  private onConnected(
    identity: ServerIdentity,
    clientId: string,
    reused: boolean,
    serverFlags: Readonly<Record<string, unknown>> | undefined,
  ): void {
    if (this.everConnected) this.stats.reconnects++;
    this.everConnected = true;
    this.droppedAt = undefined;
    this.outage.end();
    this.clearTimer('offline');
    this.probeMismatches = 0;
    this.probeFailures = 0;
    this.awaitingPong = false;
    this.setInfo({
      state: 'connected',
      ...(identity.version !== undefined && { version: identity.version }),
      capabilities: { ...identity.capabilities, supportsPreviewMetadata: serverFlags?.supports_preview_metadata === true },
      ...(this.lastStatusQueue !== undefined && { queueRemaining: this.lastStatusQueue }),
      clientId,
    });
    this.setTimer('stable', this.timings.stableAfterMs, () => {
      this.attempt = 0;
    });
    this.setInterval('ping', this.timings.pingIntervalMs, () => this.sendPing(this.timings.pongTimeoutMs));
    this.setInterval('probe', this.timings.probeIntervalMs, () => void this.probe());
    this.events.emit('connected', { clientId, reusedClientId: reused });
  }

  private sendPing(timeoutMs: number): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (this.awaitingPong && this.timers.has('pong')) return;
    this.awaitingPong = true;
    try {
      socket.ping();
    } catch {
      // A failing send shows up as a close event.
    }
    this.setTimer('pong', timeoutMs, () => {
      if (this.awaitingPong) this.dropSocket('half-open', `no pong within ${timeoutMs} ms`);
    });
  }

  /** One probe at a time: a burst of `reconnectNow()` (resume and network events come in flurries) asks once. */
  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.probeOnce();
    } finally {
      this.probing = false;
    }
  }

  /** GET /api/prompt: is the server there, and does our socket hear the same queue size? */
  private async probeOnce(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    let queueRemaining: number;
    try {
      const value = await this.dialect.queueRemaining(this.http, this.timings.httpTimeoutMs);
      if (value === undefined) return;
      queueRemaining = value;
      this.probeFailures = 0;
    } catch (error) {
      if (socket !== this.socket) return;
      if (needsTheUser(errorCode(error))) {
        this.dropSocket('auth', errorMessage(error), error);
        return;
      }
      if (++this.probeFailures >= 2) this.dropSocket('half-open', `HTTP probe failed twice: ${errorMessage(error)}`);
      return;
    }
    if (socket !== this.socket) return;
    this.events.emit('probe', { queueRemaining });
    const quiet = Date.now() - this.lastStatusAt > this.timings.statusQuietMs;
    if (this.lastStatusQueue !== undefined && queueRemaining !== this.lastStatusQueue && quiet) {
      // One mismatch can be a race with a broadcast in flight; two in a row mean the socket no longer hears us.
      if (++this.probeMismatches >= 2) this.dropSocket('deaf', 'queue size over HTTP differs from the socket twice');
    } else {
      this.probeMismatches = 0;
    }
  }

  /** Abandon the current socket. Its server-side twin may still be open, so its client id is not reused. */
  private dropSocket(reason: 'deaf' | 'half-open' | 'auth', detail: string, error?: unknown): void {
    const socket = this.socket;
    if (!socket) return;
    if (reason === 'deaf') this.stats.deafDetections++;
    if (reason === 'half-open') this.stats.halfOpenDetections++;
    this.log.info('dropping socket', { reason, detail });
    this.coalescer.flush();
    this.generation++;
    this.socket = undefined;
    this.clearTimers();
    socket.terminate();
    const record = this.clientIds.get(this.server.id);
    if (record) this.clientIds.set(this.server.id, { ...record, closedCleanly: false });
    this.droppedAt = Date.now();
    this.scheduleRetry(error ?? new ComfyTrayError(reason === 'deaf' ? 'COMFY_SOCKET_DEAF' : 'COMFY_SOCKET_CLOSED', `${this.server.name}: ${detail}`), true);
  }

  private onSocketClosed(generation: number, socket: WebSocket, code: number): void {
    if (generation !== this.generation || socket !== this.socket) return;
    this.coalescer.flush();
    this.socket = undefined;
    this.clearTimers();
    // 1006 = the connection ended without a close frame: the server-side socket may still be alive.
    const record = this.clientIds.get(this.server.id);
    if (record) this.clientIds.set(this.server.id, { ...record, closedCleanly: code !== 1006 });
    this.droppedAt = Date.now();
    this.scheduleRetry(new ComfyTrayError('COMFY_SOCKET_CLOSED', `${this.server.name}: connection closed (${code})`), true);
  }

  private scheduleRetry(error: unknown, afterDrop = false): void {
    if (!this.running) return;
    const code = errorCode(error) ?? 'COMFY_UNREACHABLE';
    const lastError: ErrorView = { code, message: errorMessage(error) };
    let state: ConnectionStateName;
    let delay: number;
    if (needsTheUser(code)) {
      state = 'auth-failed';
      delay = this.timings.authRetryMs;
    } else if (code === 'COMFY_INCOMPATIBLE') {
      state = 'incompatible';
      delay = this.timings.incompatibleRetryMs;
    } else if (afterDrop || this.upgradeFailedSoftly || !this.watchPort) {
      // After a drop from a stable connection the first retry goes out at once (most drops are a restart that is
      // already over); a server that keeps dropping us before we count as stable gets the growing backoff. An upgrade
      // that failed without an answer while HTTP answered is tried again the same way (not after a port check, which
      // an HTTP server passes at once or, for a timeout, only every `answeredRetryMs`): a second one means polling.
      // A hosted service (its front always accepts) is always retried on the backoff, and so is a one-off test.
      delay = afterDrop && this.attempt === 0 ? 0 : retryDelay(this.attempt, this.random(), this.timings);
      this.attempt++;
      state = this.outageState();
    } else {
      // A full attempt failed: the port is watched until it serves again, and the next attempt made then. Only an
      // attempt that something answered counts towards the backoff of a server that keeps dropping us.
      const failure = this.outage.failed(error, () => void this.connect());
      if (failure !== 'refused') this.attempt++;
      this.log.info('not connected: watching the port', { code, failure });
      this.reportOutage(this.outageState(), lastError);
      return;
    }
    const nextRetryAt = Date.now() + delay;
    const keep = { version: this.info.version, capabilities: this.info.capabilities };
    this.setInfo({
      state,
      attempt: this.attempt,
      nextRetryAt,
      lastError,
      ...(keep.version !== undefined && { version: keep.version }),
      ...(keep.capabilities !== undefined && { capabilities: keep.capabilities }),
    });
    this.log.info(`retry in ${delay} ms`, { code });
    this.setTimer('retry', delay, () => void this.connect());
  }

  /** Within `offlineAfterMs` of losing a connection that worked: reconnecting; else (or never connected) offline. */
  private outageState(): 'reconnecting' | 'offline' {
    const since = this.droppedAt;
    return this.everConnected && since !== undefined && Date.now() - since < this.timings.offlineAfterMs ? 'reconnecting' : 'offline';
  }

  /** The state while the port is watched: told once, and once more when `reconnecting` becomes `offline`. */
  private reportOutage(state: 'reconnecting' | 'offline', lastError: ErrorView): void {
    const keep = { version: this.info.version, capabilities: this.info.capabilities };
    const nextRetryAt = this.outage.nextCheckAt;
    this.setInfo({
      state,
      attempt: this.attempt,
      ...(nextRetryAt !== undefined && { nextRetryAt }),
      lastError,
      ...(keep.version !== undefined && { version: keep.version }),
      ...(keep.capabilities !== undefined && { capabilities: keep.capabilities }),
    });
    this.clearTimer('offline');
    if (state === 'reconnecting' && this.droppedAt !== undefined) {
      this.setTimer('offline', this.droppedAt + this.timings.offlineAfterMs - Date.now(), () => {
        if (this.info.state === 'reconnecting') this.reportOutage('offline', lastError);
      });
    }
  }

  /** An upgrade answered with a refusal counts at once; one that failed without an answer, only when it repeats. */
  private upgradeRefused(error: unknown): boolean {
    const code = errorCode(error);
    if (code === 'COMFY_NO_WEBSOCKET') return true;
    if (code === undefined || !SOFT_REFUSAL_CODES.has(code)) return false;
    return ++this.softRefusals >= SOFT_REFUSALS_BEFORE_POLLING;
  }

  /**
   * Follows the server without a socket: each poll reads the queue size and says what a `status` broadcast says
   * (something may have changed: the tracker looks), so jobs are still seen to start and end. The socket is tried
   * again now and then; the view says the connection is degraded, not offline.
   */
  private startPolling(identity: ServerIdentity, reason: unknown): void {
    if (this.everConnected) this.stats.reconnects++;
    this.everConnected = true;
    this.polling = true;
    this.softRefusals = 0;
    this.droppedAt = undefined;
    this.outage.end();
    this.clearTimer('offline');
    this.probeFailures = 0;
    const clientId = this.clientIds.get(this.server.id)?.clientId ?? randomUUID();
    const message = `${errorMessage(reason)}; following by polling every ${Math.round(this.timings.pollIntervalMs / 1000)} s, without live progress`;
    this.log.info('no WebSocket: polling', { code: errorCode(reason) });
    this.setInfo({
      state: 'connected',
      ...(identity.version !== undefined && { version: identity.version }),
      capabilities: { ...identity.capabilities, supportsPreviewMetadata: false },
      ...(this.lastStatusQueue !== undefined && { queueRemaining: this.lastStatusQueue }),
      clientId,
      degraded: { code: 'COMFY_NO_WEBSOCKET', message },
    });
    this.setTimer('stable', this.timings.stableAfterMs, () => {
      this.attempt = 0;
    });
    this.setInterval('poll', this.timings.pollIntervalMs, () => void this.poll());
    this.setTimer('upgrade', this.timings.upgradeRetryMs, () => void this.retryUpgrade());
    this.events.emit('connected', { clientId, reusedClientId: false });
  }

  private async poll(): Promise<void> {
    if (!this.polling || this.probing) return;
    this.probing = true;
    const generation = this.generation;
    try {
      const value = await this.dialect.queueRemaining(this.http, this.timings.httpTimeoutMs);
      if (generation !== this.generation || !this.polling) return;
      this.probeFailures = 0;
      if (value === undefined) return;
      this.lastStatusQueue = value;
      if (this.info.queueRemaining !== value) this.setInfo({ ...this.info, queueRemaining: value });
      this.events.emit('probe', { queueRemaining: value });
      this.events.emit('message', { type: 'status', queueRemaining: value });
    } catch (error) {
      if (generation !== this.generation || !this.polling) return;
      if (needsTheUser(errorCode(error)) || ++this.probeFailures >= 2) this.stopPolling(error);
    } finally {
      this.probing = false;
    }
  }

  private stopPolling(error: unknown): void {
    this.polling = false;
    this.generation++;
    this.clearTimers();
    this.droppedAt = Date.now();
    this.scheduleRetry(error, true);
  }

  /** While polling: the socket once more; when it opens, live events take over (and the tracker catches up). */
  private async retryUpgrade(): Promise<void> {
    if (!this.polling || this.connectingGeneration !== undefined) return;
    const generation = this.generation;
    this.connectingGeneration = generation;
    this.clearTimer('upgrade');
    try {
      const { socket, clientId, reused, serverFlags } = await this.openSocket(generation);
      if (generation !== this.generation || !this.polling || !this.identity) {
        socket.terminate();
        return;
      }
      this.polling = false;
      this.clearTimers();
      this.socket = socket;
      this.onConnected(this.identity, clientId, reused, serverFlags);
    } catch {
      if (generation === this.generation && this.polling) this.setTimer('upgrade', this.timings.upgradeRetryMs, () => void this.retryUpgrade());
    } finally {
      if (this.connectingGeneration === generation) this.connectingGeneration = undefined;
    }
  }

  private async closeCleanly(socket: WebSocket): Promise<void> {
    const closed = new Promise<number>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) resolve(1006);
      socket.once('close', (code) => resolve(code));
    });
    socket.close(1000, 'client shutting down');
    const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(1006), 2_000).unref());
    const code = await Promise.race([closed, timeout]);
    if (code === 1006) socket.terminate();
    const record = this.clientIds.get(this.server.id);
    if (record) this.clientIds.set(this.server.id, { ...record, closedCleanly: code !== 1006 });
  }

  private setInfo(info: ConnectionInfo): void {
    this.info = info;
    this.events.emit('state', info);
  }

  private setTimer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    const timer = setTimeout(() => {
      this.timers.delete(name);
      fn();
    }, ms);
    this.timers.set(name, timer);
  }

  private setInterval(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    const timer = setInterval(fn, ms);
    this.timers.set(name, timer);
  }

  private clearTimer(name: string): void {
    const timer = this.timers.get(name);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(name);
    }
  }

  private clearTimers(): void {
    for (const name of [...this.timers.keys()]) this.clearTimer(name);
    this.awaitingPong = false;
  }
}

function bufferOf(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
