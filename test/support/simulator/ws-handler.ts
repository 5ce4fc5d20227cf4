// websocket_handler of the real server for one accepted socket: registration (replacing any socket with the same
// clientId), the initial status (+ executing replay), the feature_flags handshake and the cleanup on close.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { SimCore } from './core.js';
import { isRecord } from './json.js';
import type { SimSocket } from './sockets.js';
import { serverFeatures } from './system-info.js';

export function acceptSocket(core: SimCore, events: EventEmitter, ws: WebSocket, tcp: Duplex, clientId: string, isCurrent: () => boolean): void {
  const sid = clientId || randomUUID().replaceAll('-', '');
  const socket: SimSocket = { ws, tcp, sid, firstMessage: true, frozen: false };
  core.sockets.register(socket);
  ws.on('error', () => undefined);
  ws.on('close', () => {
    // A socket of a previous server run (before restart) must not touch the new registry.
    if (isCurrent()) core.sockets.unregister(socket);
    events.emit('ws-closed', { sid });
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary || !socket.firstMessage) return;
    let message: unknown;
    try {
      const text = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      message = JSON.parse(text.toString('utf8'));
    } catch {
      return; // json.JSONDecodeError: logged, the first-message flag stays set
    }
    if (!isRecord(message)) return; // data.get() raises; the flag stays set
    if (message.type === 'feature_flags') {
      const flags = Object.hasOwn(message, 'data') ? message.data : {};
      core.sockets.setFlags(sid, isRecord(flags) ? flags : {});
      core.sockets.sendJson('feature_flags', serverFeatures(core.generation), sid);
    }
    socket.firstMessage = false;
  });
  core.sockets.sendTo(socket, 'status', { status: core.queueInfo(), sid });
  if (core.runState.clientId === sid && core.runState.lastNodeId !== null) {
    core.sockets.sendTo(socket, 'executing', { node: core.runState.lastNodeId });
  }
  events.emit('ws-connected', { sid });
}
