// An output, large, over the window: an image at full resolution (animated WebP and GIF animate), a video or an audio
// file with its controls. ← and → (or the buttons) step through the job's outputs and on through the history;
// Page Up / Page Down jump a job. Open, Show in folder and Copy path for a saved file, Copy image for a picture.
// A modal dialog: focus moves in, stays in, Escape closes, and focus goes back to the thumbnail.
import { useRef } from 'preact/hooks';
import type { JobView } from '../../electron/shared/app-state.js';
import { jobTitle } from '../format.js';
import { outputKind } from '../models/output-kind.js';
import { neighbour, type ViewerTarget } from '../models/viewer-model.js';
import { useServices } from '../services.js';
import { ActionButton } from './ActionButton.js';
import { CopyIcon, FolderIcon, OpenIcon } from './icons.js';
import { useDialogFocus } from './use-dialog-focus.js';

export function OutputViewer() {
  const { viewer } = useServices();
  const target = viewer.target.value;
  if (!target) return null;
  return <ViewerDialog target={target} />;
}

function ViewerDialog({ target }: { readonly target: ViewerTarget }) {
  const { viewer, model, api, feedback, copyText } = useServices();
  const ref = useRef<HTMLDivElement>(null);
  useDialogFocus(ref, () => viewer.close());
  const history: JobView[] = model.lists.value.history.map((entry) => entry.job.peek());
  const job = model.entry(target.serverId, target.jobId)?.job.value;
  const server = model.servers.value.find((s) => s.id === target.serverId)?.name ?? target.serverId;
  const state = viewer.state.value;
  if (!job) return null;
  const title = jobTitle(job);
  const output = job.outputs[target.index];
  const filename = output?.filename ?? '';
  const previous = neighbour(history, target, -1);
  const next = neighbour(history, target, 1);
  const go = (to: ViewerTarget | undefined): void => {
    if (to) viewer.open(to);
  };
  const { serverId, jobId, index } = target;
  const saved = state.status === 'ready' ? state.savedPath : undefined;
  const isImage = state.status === 'ready' ? state.kind === 'image' : output !== undefined && outputKind(output) === 'image';
  const open = (): void => void feedback.runAction(`Opening ${filename}…`, () => api.openOutput(serverId, jobId, index), () => `Opened ${filename}`);
  const reveal = (): void => void feedback.runAction(`Showing ${filename} in its folder…`, () => api.showOutputInFolder(serverId, jobId, index), () => `Showed ${filename} in its folder`);
  const copyImage = (): void => void feedback.runAction(`Copying ${filename}…`, () => api.copyOutputImage(serverId, jobId, index), () => `${filename}: image copied to the clipboard`);
  const copyPath = (): void => {
    if (saved !== undefined) void feedback.run('Copying the path…', () => copyText(saved), () => `Path of ${filename} copied to the clipboard`);
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    // A focused player keeps its own keys (arrows seek).
    const tag = (event.target as Element | null)?.tagName;
    if (tag === 'VIDEO' || tag === 'AUDIO') return;
    const to =
      event.key === 'ArrowLeft' ? previous : event.key === 'ArrowRight' ? next : event.key === 'PageUp' ? neighbour(history, target, -1, true) : event.key === 'PageDown' ? neighbour(history, target, 1, true) : null;
    if (to === null) return;
    event.preventDefault();
    go(to);
  };
  const label = `${filename}, output ${index + 1} of ${job.outputs.length} of ${title}`;
  return (
    <div class="viewer-backdrop">
      <div ref={ref} class="viewer" role="dialog" aria-modal="true" aria-labelledby="viewer-title" aria-describedby="viewer-where" tabIndex={-1} onKeyDown={onKeyDown}>
        <header class="viewer__head">
          <div class="viewer__heading">
            <h2 id="viewer-title" class="viewer__title">{title}</h2>
            <p id="viewer-where" class="viewer__where">
              {filename} · {index + 1} of {job.outputs.length} · {server}
              {saved !== undefined ? ' · saved' : ''}
            </p>
          </div>
          <button type="button" class="button" onClick={() => viewer.close()} aria-label="Close the viewer">
            Close
          </button>
        </header>
        <div class="viewer__stage" aria-busy={state.status === 'loading'}>
          <button type="button" class="button viewer__step viewer__step--previous" onClick={() => go(previous)} disabled={!previous} aria-label="Previous output" title="Previous output (←)">
            ‹
          </button>
          <div class="viewer__media">
            {state.status === 'loading' && (
              <p class="viewer__note" role="status">
                Loading {filename}…
              </p>
            )}
            {state.status === 'failed' && (
              <p class="viewer__note viewer__note--error" role="alert">
                {state.message}
              </p>
            )}
            {state.status === 'ready' && state.kind === 'image' && <img key={state.url} class="viewer__image" src={state.url} alt={label} />}
            {state.status === 'ready' && state.kind === 'video' && <video key={state.url} class="viewer__video" src={state.url} controls playsInline preload="metadata" aria-label={label} />}
            {state.status === 'ready' && state.kind === 'audio' && <audio key={state.url} class="viewer__audio" src={state.url} controls preload="metadata" aria-label={label} />}
          </div>
          <button type="button" class="button viewer__step viewer__step--next" onClick={() => go(next)} disabled={!next} aria-label="Next output" title="Next output (→)">
            ›
          </button>
        </div>
        <footer class="viewer__actions">
          <ActionButton icon={<OpenIcon />} text="Open" label={`Open ${filename}`} onClick={open} keepText disabled={saved === undefined} />
          <ActionButton icon={<FolderIcon />} text="Show in folder" label={`Show ${filename} in its folder`} onClick={reveal} keepText disabled={saved === undefined} />
          {isImage && <ActionButton icon={<CopyIcon />} text="Copy image" label={`Copy the image ${filename}`} onClick={copyImage} keepText disabled={state.status !== 'ready'} />}
          <ActionButton icon={<CopyIcon />} text="Copy path" label={`Copy the path of ${filename}`} onClick={copyPath} keepText disabled={saved === undefined} />
          {saved === undefined && state.status !== 'loading' && <span class="viewer__hint">Not saved on this computer: Open and Show in folder need a saved file.</span>}
        </footer>
      </div>
    </div>
  );
}
