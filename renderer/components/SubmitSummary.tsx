// What the opened file is: format, whether it carries an API prompt or only the editor's workflow, its node count,
// the other files that came with it, and how many more files wait their turn.
import type { OpenedFile } from '../models/drop-model.js';

const FORMATS: Record<string, string> = {
  png: 'PNG image',
  webp: 'WebP image',
  flac: 'FLAC audio',
  mp3: 'MP3 audio',
  ogg: 'Ogg audio',
  isobmff: 'MP4 / MOV video',
  matroska: 'WebM / MKV video',
  safetensors: 'safetensors',
  json: 'JSON',
};

export function kindLabel(kind: OpenedFile['kind']): string {
  return kind === 'api-prompt' ? 'API prompt' : 'Editor workflow (converted for the server)';
}

export function SubmitSummary({ file, waiting }: { readonly file: OpenedFile; readonly waiting: number }) {
  return (
    <>
      <dl class="submit-summary">
        {file.workflowName !== undefined && (
          <div>
            <dt>Workflow</dt>
            <dd>{file.workflowName}</dd>
          </div>
        )}
        <div>
          <dt>Format</dt>
          <dd>{FORMATS[file.format] ?? file.format}</dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>{kindLabel(file.kind)}</dd>
        </div>
        <div>
          <dt>Nodes</dt>
          <dd>{file.nodeCount}</dd>
        </div>
        {file.attachments.length > 0 && (
          <div>
            <dt>With</dt>
            <dd>{file.attachments.join(', ')}</dd>
          </div>
        )}
      </dl>
      {waiting > 0 && (
        <p class="muted">
          {waiting} more {waiting === 1 ? 'file waits' : 'files wait'} after this one.
        </p>
      )}
    </>
  );
}
