// One thumbnail cache for the window's lifetime: rows come and go as the history scrolls, their images stay cached.
import { useEffect, useMemo } from 'preact/hooks';
import { browserObjectUrls } from '../models/object-urls.js';
import { THUMBNAIL_CACHE_SIZE, THUMBNAIL_SETTLE_MS, ThumbnailCache } from '../models/thumbnail-cache.js';
import { useServices } from '../services.js';

export function useThumbnailCache(): ThumbnailCache {
  const { api, thumbnailSettleMs } = useServices();
  const cache = useMemo(
    () => new ThumbnailCache((serverId, jobId, index) => api.getThumbnail(serverId, jobId, index), browserObjectUrls, THUMBNAIL_CACHE_SIZE, thumbnailSettleMs ?? THUMBNAIL_SETTLE_MS),
    [api, thumbnailSettleMs],
  );
  useEffect(() => () => cache.dispose(), [cache]);
  return cache;
}
