// The Outputs section: whether outputs are saved, where (chosen only in the main process's folder picker, or the
// default), under which names (with a live example), and what else.
import { previewPath, sampleValues } from '../../models/template-preview.js';
import type { SettingsForm } from '../../models/settings-model.js';
import { useServices } from '../../services.js';
import { CheckRow, FormGroup, FormRow, describedBy, inputValue } from './form-controls.js';

export function OutputsSection() {
  const { settings, clock } = useServices();
  const form = settings.form.value;
  if (!form) return null;
  const errors = settings.errors.value;
  const outputs = (change: Partial<SettingsForm['outputs']>): void => settings.edit((f) => ({ ...f, outputs: { ...f.outputs, ...change } }));
  const preview = previewPath(form.outputs.folder.trim() || '<Pictures>/Comfy Tray', form.outputs.template, sampleValues(form.servers[0]?.name ?? 'Local ComfyUI', clock.now.value));
  const templateError = errors['outputs.template'];
  return (
    <>
      <FormGroup id="outputs-saving" title="Saving">
        <CheckRow id="outputs-enabled" label="Save every output to this computer" checked={form.outputs.enabled} onChange={(enabled) => outputs({ enabled })} hint="Each server can override this in its own settings." />
        <FormRow id="outputs-folder" label="Folder" hint="Empty: Comfy Tray in your Pictures folder">
          <div class="form-row__inline">
            <input id="outputs-folder" value={form.outputs.folder} readOnly {...describedBy('outputs-folder', undefined, true)} />
            <button type="button" class="button" onClick={() => void settings.pickFolder({})} aria-label="Choose the output folder">
              Choose…
            </button>
            {form.outputs.folder !== '' && (
              <button type="button" class="button" onClick={() => settings.useDefaultFolder({})}>
                Use the default
              </button>
            )}
          </div>
        </FormRow>
        <FormRow id="outputs-template" label="File names" error={templateError} hint="Tokens: {server} {date} {time} {job} {node} {index} {filename} {subfolder} {workflow}">
          <input id="outputs-template" value={form.outputs.template} spellcheck={false} onInput={(e) => outputs({ template: inputValue(e) })} {...describedBy('outputs-template', templateError, true)} />
          {preview !== undefined && (
            <span class="form-row__hint" aria-live="polite">
              Example: <code class="template-preview">{preview}</code>
            </span>
          )}
        </FormRow>
      </FormGroup>
      <FormGroup id="outputs-extra" title="Also save">
        <CheckRow id="outputs-sidecar" label="A JSON file beside each output, with the prompt and the workflow" checked={form.outputs.sidecar} onChange={(sidecar) => outputs({ sidecar })} />
        <CheckRow id="outputs-temp" label="Previews (temporary images)" checked={form.outputs.saveTemp} onChange={(saveTemp) => outputs({ saveTemp })} />
      </FormGroup>
    </>
  );
}
