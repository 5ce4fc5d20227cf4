// One thumbnail cache for the window's lifetime: rows come and go as the history scrolls, their images stay cached.
import { useEffect, useMemo } from 'preact/hooks';
import { ThumbnailCache } from '../models/thumbnail-cache.js';
import { useServices } from '../services.js';

export function useThumbnailCache(): ThumbnailCache {
  const { api } = useServices();
  const cache = useMemo(() => new ThumbnailCache((serverId, jobId, index) => api.getThumbnail(serverId, jobId, index)), [api]);
  useEffect(() => () => cache.dispose(), [cache]);
  return cache;
}
