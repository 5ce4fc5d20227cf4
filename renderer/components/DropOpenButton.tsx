// "Open workflow…": the keyboard (and non-dragging) way in, through a hidden file input and the same path as a drop.
import { useRef } from 'preact/hooks';
import { useServices } from '../services.js';

/** Workflow files and the inputs they may need (images, audio, video, latents, model files with metadata). */
export const ACCEPTED = '.json,.png,.webp,.jpg,.jpeg,.flac,.mp3,.opus,.ogg,.mp4,.mov,.webm,.mkv,.latent,.safetensors';

export function DropOpenButton() {
  const { drop } = useServices();
  const input = useRef<HTMLInputElement>(null);
  const onChange = (event: Event): void => {
    const target = event.currentTarget as HTMLInputElement;
    const files = Array.from(target.files ?? []);
    // Cleared so picking the same file again fires change again.
    target.value = '';
    void drop.openFiles(files);
  };
  return (
    <>
      <button type="button" class="button app__open" onClick={() => input.current?.click()}>
        Open workflow…
      </button>
      <input ref={input} type="file" multiple accept={ACCEPTED} hidden tabIndex={-1} aria-hidden="true" data-testid="workflow-picker" onChange={onChange} />
    </>
  );
}
