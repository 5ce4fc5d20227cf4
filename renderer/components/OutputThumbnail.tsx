// The first output of a finished job, small: its thumbnail for an image (fetched once through the shared cache, only
// when the windowed list renders the row), or a placeholder that says what kind of file it is.
import { useMemo } from 'preact/hooks';
import type { OutputRef } from '../../electron/shared/app-state.js';
import { outputKind, type OutputKind } from '../models/output-kind.js';
import type { ThumbnailCache } from '../models/thumbnail-cache.js';

const PLACEHOLDERS: Record<Exclude<OutputKind, 'image'>, { readonly icon: string; readonly label: string }> = {
  video: { icon: '▶', label: 'Video' },
  audio: { icon: '♪', label: 'Audio' },
  '3d': { icon: '◆', label: '3D' },
  file: { icon: '▤', label: 'File' },
};

function Placeholder({ kind, title }: { readonly kind: keyof typeof PLACEHOLDERS | 'image'; readonly title: string }) {
  const { icon, label } = kind === 'image' ? { icon: '▧', label: 'Image' } : PLACEHOLDERS[kind];
  return (
    <span class={`thumb thumb--placeholder thumb--${kind}`} role="img" aria-label={`${label} output of ${title}`}>
      <span class="thumb__icon" aria-hidden="true">
        {icon}
      </span>
      <span class="thumb__label" aria-hidden="true">
        {label}
      </span>
    </span>
  );
}

interface ImageThumbnailProps {
  readonly serverId: string;
  readonly jobId: string;
  readonly index: number;
  readonly title: string;
  readonly cache: ThumbnailCache;
}

function ImageThumbnail({ serverId, jobId, index, title, cache }: ImageThumbnailProps) {
  // Acquired while rendering on purpose: only rows the windowed list renders ask, and the cache answers from memory
  // when a row scrolls back into view.
  const state = useMemo(() => cache.acquire(serverId, jobId, index), [cache, serverId, jobId, index]).value;
  switch (state.status) {
    case 'ready':
      return <img class="thumb" src={state.url} alt={`Output of ${title}`} />;
    case 'loading':
      return <span class="thumb thumb--loading" role="img" aria-label={`Loading the output of ${title}`} />;
    case 'none':
    case 'failed':
      return <Placeholder kind="image" title={title} />;
  }
}

export function OutputThumbnail(props: { readonly serverId: string; readonly jobId: string; readonly outputs: readonly OutputRef[]; readonly title: string; readonly cache: ThumbnailCache }) {
  const first = props.outputs[0];
  if (!first) return null;
  const kind = outputKind(first);
  if (kind !== 'image') return <Placeholder kind={kind} title={props.title} />;
  return <ImageThumbnail serverId={props.serverId} jobId={props.jobId} index={0} title={props.title} cache={props.cache} />;
}
