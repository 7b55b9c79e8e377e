import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { routeInstancePath } from '../proxy/proxy-routing.js';

/**
 * Registers @fastify/websocket so that it only sees upgrades of berth's own API (`/api/…`): the
 * API port's own listener (create-app.ts) refuses `/i/<name>/` upgrades with a sentence naming
 * the proxy port, and any other upgrade is refused.
 * A browser authenticating with `Sec-WebSocket-Protocol: bearer, <token>` gets `bearer` back.
 */
export async function installApiWebSockets(app: FastifyInstance): Promise<void> {
  if (app.hasDecorator('websocketServer')) return;
  const apiUpgrades = new EventEmitter();
  await app.register(fastifyWebsocket, {
    options: {
      server: apiUpgrades as unknown as Server,
      maxPayload: 64 * 1024,
      handleProtocols: (protocols: Set<string>) => (protocols.has('bearer') ? 'bearer' : false),
    },
  });
  app.server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').startsWith('/api/')) apiUpgrades.emit('upgrade', req, socket, head);
    else if (!routeInstancePath(req.url)) socket.destroy();
  });
}
