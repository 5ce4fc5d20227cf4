// The running job's latest preview image (what the sampler has so far). Memoised with plain props, so progress
// patches do not touch it; it re-renders only when a new image arrives.
import { memo } from 'preact/compat';
import { useEffect, useMemo } from 'preact/hooks';
import { PreviewModel } from '../models/preview-model.js';
import { useServices } from '../services.js';

export interface LivePreviewProps {
  readonly serverId: string;
  readonly jobId: string;
  readonly version: number | undefined;
  readonly title: string;
}

export const LivePreview = memo(function LivePreview({ serverId, jobId, version, title }: LivePreviewProps) {
  const { api } = useServices();
  const model = useMemo(() => new PreviewModel(() => api.getPreview(serverId, jobId)), [api, serverId, jobId]);
  useEffect(() => () => model.dispose(), [model]);
  useEffect(() => {
    if (version !== undefined) model.want(version);
  }, [model, version]);
  const url = model.url.value;
  if (url === undefined) return null;
  return <img class="running__preview" src={url} alt={`Live preview of ${title}`} />;
});
