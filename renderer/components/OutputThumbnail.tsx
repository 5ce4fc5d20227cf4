// The first output of a finished job, small: its thumbnail for an image (fetched once through the shared cache, only
// for rows the windowed list renders and that stay in view a moment), or a placeholder that says what kind of file it is.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { OutputRef } from '../../electron/shared/app-state.js';
import { outputKind, type OutputKind } from '../models/output-kind.js';
import type { ThumbnailCache, ThumbnailState } from '../models/thumbnail-cache.js';
import { useServices } from '../services.js';

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

const LOADING: ThumbnailState = { status: 'loading' };

function ImageThumbnail({ serverId, jobId, index, title, cache }: ImageThumbnailProps) {
  // Only rows the windowed list renders ask, and only once they stayed in view a moment (a fling passes rows by
  // without asking); the cache answers from memory when a row scrolls back into view.
  const [wanted, setWanted] = useState(() => cache.settleMs <= 0 || cache.has(serverId, jobId, index));
  useEffect(() => {
    if (wanted) return undefined;
    const timer = setTimeout(() => setWanted(true), cache.settleMs);
    return () => clearTimeout(timer);
  }, [wanted, cache]);
  const entry = useMemo(() => (wanted ? cache.acquire(serverId, jobId, index) : undefined), [wanted, cache, serverId, jobId, index]);
  const state = entry?.value ?? LOADING;
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
  const { viewer } = useServices();
  const first = props.outputs[0];
  if (!first) return null;
  const kind = outputKind(first);
  const count = props.outputs.length;
  // The thumbnail opens the viewer on the job's first output (the way to the others is inside).
  return (
    <button
      type="button"
      class="thumb-button"
      aria-label={`View the ${count === 1 ? 'output' : `${count} outputs`} of ${props.title}`}
      title={`View the ${count === 1 ? 'output' : `${count} outputs`}`}
      onClick={() => viewer.open({ serverId: props.serverId, jobId: props.jobId, index: 0 })}
    >
      {kind !== 'image' ? <Placeholder kind={kind} title={props.title} /> : <ImageThumbnail serverId={props.serverId} jobId={props.jobId} index={0} title={props.title} cache={props.cache} />}
      {count > 1 && (
        <span class="thumb-button__count" aria-hidden="true">
          {count}
        </span>
      )}
    </button>
  );
}
