// Static-ish routes: /system_stats, /features, /object_info[/{class}], /embeddings, /models, /settings, /users, /.
import type { SimCore } from './core.js';
import { emptyResponse, jsonResponse, rawJsonResponse, textResponse } from './http.js';
import type { Router } from './router.js';
import { modelFolders, serverFeatures, systemStats } from './system-info.js';

export function addInfoRoutes(router: Router, core: SimCore, version: () => string): void {
  router
    .add('GET', '/', () => ({ status: 200, contentType: 'text/html', body: '<!doctype html><title>ComfyUI</title><p>ComfyUI simulator</p>\n' }))
    .add('GET', '/ws', () => textResponse(400, 'No WebSocket UPGRADE hdr: None\n Can "Upgrade" only to "WebSocket".'))
    .add('GET', '/system_stats', () => jsonResponse(systemStats(core.generation, version(), core.systemOverride)))
    .add('GET', '/features', () => jsonResponse(serverFeatures(core.generation)))
    .add('GET', '/object_info', () => rawJsonResponse(core.info.rawBody))
    .add('GET', '/object_info/{node_class}', (_req, [name = '']) => rawJsonResponse(core.info.singleClassBody(name)))
    .add('GET', '/embeddings', () => jsonResponse([]))
    .add('GET', '/extensions', () => jsonResponse([]))
    .add('GET', '/models', () => jsonResponse(modelFolders(core.generation)))
    .add('GET', '/models/{folder}', (_req, [folder = '']) => (modelFolders(core.generation).includes(folder) ? jsonResponse([]) : emptyResponse(404)))
    .add('GET', '/settings', () => jsonResponse({}))
    .add('GET', '/users', () => jsonResponse({ storage: 'server', migrated: true }));
}
