// The server's socket registry `sockets: {sid -> ws}` including its real bug (fixture 17): a new socket with an
// existing clientId replaces the old entry, and when the OLD socket later closes, its cleanup removes the entry
// by sid, i.e. the NEW socket (and its feature flags), which then receives nothing at all.
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { pyDumps } from './json.js';

export interface SimSocket {
  readonly ws: WebSocket;
  readonly tcp: Duplex;
  readonly sid: string;
  /** Only the first text frame may be a feature_flags handshake. */
  firstMessage: boolean;
  frozen: boolean;
}

export class SocketRegistry {
  private readonly bySid = new Map<string, SimSocket>();
  private readonly flags = new Map<string, Record<string, unknown>>();
  private readonly open = new Set<SimSocket>();

  register(socket: SimSocket): void {
    this.bySid.delete(socket.sid);
    this.bySid.set(socket.sid, socket);
    this.flags.set(socket.sid, {});
    this.open.add(socket);
  }

  /** The handler's `finally`: pops by sid, whichever socket currently owns it. */
  unregister(socket: SimSocket): void {
    this.open.delete(socket);
    this.bySid.delete(socket.sid);
    this.flags.delete(socket.sid);
  }

  sids(): string[] {
    return [...this.bySid.keys()];
  }

  openSockets(): SimSocket[] {
    return [...this.open];
  }

  setFlags(sid: string, flags: Record<string, unknown>): void {
    if (this.flags.has(sid)) this.flags.set(sid, flags);
  }

  supports(sid: unknown, feature: string): boolean {
    return typeof sid === 'string' && this.flags.get(sid)?.[feature] === true;
  }

  /** send_sync(type, data, sid): sid null = every registered socket; an unknown sid drops the message. */
  sendJson(type: string, data: unknown, sid: unknown): void {
    this.deliver(pyDumps({ type, data }), sid);
  }

  sendBinary(frame: Buffer, sid: unknown): void {
    this.deliver(frame, sid);
  }

  /** Sends to one registered socket, or to all when sid is null/undefined; bytes as a text frame with `binary: false`. */
  deliver(frame: string | Buffer, sid: unknown, binary = typeof frame !== 'string'): void {
    if (sid === null || sid === undefined) {
      for (const socket of [...this.bySid.values()]) write(socket, frame, binary);
      return;
    }
    if (typeof sid !== 'string') return;
    const socket = this.bySid.get(sid);
    if (socket) write(socket, frame, binary);
  }

  /** Sends directly to a socket (the on-connect messages go to the new socket itself). */
  sendTo(socket: SimSocket, type: string, data: unknown): void {
    write(socket, pyDumps({ type, data }));
  }

  freezeAll(): void {
    for (const socket of this.open) {
      socket.frozen = true;
      socket.tcp.pause();
    }
  }

  /** Server killed: TCP connections drop without a close handshake. */
  destroyAll(): SimSocket[] {
    const sockets = [...this.open];
    for (const socket of sockets) socket.tcp.destroy();
    this.open.clear();
    this.bySid.clear();
    this.flags.clear();
    return sockets;
  }
}

function write(socket: SimSocket, frame: string | Buffer, binary = typeof frame !== 'string'): void {
  if (socket.frozen || socket.ws.readyState !== WebSocket.OPEN) return;
  try {
    socket.ws.send(frame, { binary });
  } catch {
    // send_socket_catch_exception: a dying socket never breaks the sender.
  }
}
