// Makes the whole window a drop zone: listens on the document (so no element of the window is a dead spot),
// highlights while files are dragged over, and hands dropped files to the drop model. Drags without files (text,
// links) are left alone, so dragging text into the search field still works.
import { useEffect } from 'preact/hooks';
import { useServices } from '../services.js';
import { DropFailures } from './DropFailures.js';
import { SubmitDialog } from './SubmitDialog.js';

function carriesFiles(event: Event): event is DragEvent & { dataTransfer: DataTransfer } {
  const transfer = (event as DragEvent).dataTransfer;
  return transfer != null && Array.from(transfer.types ?? []).includes('Files');
}

export function DropLayer() {
  const { drop } = useServices();
  useEffect(() => {
    const onEnter = (event: Event): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      drop.dragEnter();
    };
    const onOver = (event: Event): void => {
      if (!carriesFiles(event)) return;
      // Without this the drop event never comes, and Chromium would open the file in place of the window.
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (event: Event): void => {
      if (carriesFiles(event)) drop.dragLeave();
    };
    const onDrop = (event: Event): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      void drop.openFiles(Array.from(event.dataTransfer.files));
    };
    const listeners = [
      ['dragenter', onEnter],
      ['dragover', onOver],
      ['dragleave', onLeave],
      ['drop', onDrop],
    ] as const;
    for (const [name, listener] of listeners) document.addEventListener(name, listener);
    return () => {
      for (const [name, listener] of listeners) document.removeEventListener(name, listener);
    };
  }, [drop]);

  const current = drop.current.value;
  const waiting = drop.queue.value.length - 1;
  return (
    <>
      {drop.dragging.value && (
        // Pointer only (the Open workflow… button is the keyboard way), so hidden from assistive technology.
        <div class="drop-overlay" aria-hidden="true">
          <p class="drop-overlay__text">Drop workflow files to queue them</p>
        </div>
      )}
      {drop.opening.value > 0 && (
        <p class="drop-opening" role="status">
          Opening files…
        </p>
      )}
      {current ? <SubmitDialog key={current.token} file={current} waiting={waiting} /> : <DropFailures floating />}
    </>
  );
}
