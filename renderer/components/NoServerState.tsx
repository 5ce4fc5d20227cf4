// The window before any server is set up: looks for a ComfyUI on this computer once, offers to add it in one click,
// and otherwise opens the Settings on a new server form.
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { DiscoveryModel } from '../models/discovery-model.js';
import { useServices } from '../services.js';

const LOCAL_NAME = 'This computer';

export function NoServerState() {
  const { api, settings, view, feedback } = useServices();
  const discovery = useMemo(() => new DiscoveryModel(api), [api]);
  const adding = useSignal(false);
  useEffect(() => {
    void discovery.look();
  }, [discovery]);
  const state = discovery.state.value;
  const found = state.status === 'done' && state.result.found ? state.result : undefined;
  const addForm = (): void => {
    settings.requestNewServer(found ? { name: LOCAL_NAME, url: found.url } : {});
    view.current.value = 'settings';
  };
  const addFound = async (url: string): Promise<void> => {
    adding.value = true;
    await feedback.runAction(`Adding ${LOCAL_NAME} (${url})…`, () => settings.addLocalServer(url), () => `Added ${LOCAL_NAME}: Comfy Tray now follows ${url}`);
    adding.value = false;
  };
  return (
    <section class="empty" aria-labelledby="empty-title">
      <h2 id="empty-title">No ComfyUI server yet</h2>
      <p>Comfy Tray follows the jobs of the ComfyUI servers you add in Settings.</p>
      <div class="discovery" role="status" aria-live="polite">
        {(state.status === 'idle' || state.status === 'looking') && <p>Looking for ComfyUI on this computer…</p>}
        {found && (
          <>
            <p>
              Found ComfyUI{found.version ? ` ${found.version}` : ''} at <code>{found.url}</code>
            </p>
            <button type="button" class="button button--primary" disabled={adding.value} onClick={() => void addFound(found.url)}>
              Add it
            </button>
          </>
        )}
        {state.status === 'done' && !state.result.found && <p>{state.result.message}</p>}
        {state.status === 'failed' && <p>Could not look for ComfyUI on this computer: {state.message}</p>}
        {(state.status === 'failed' || (state.status === 'done' && !state.result.found)) && (
          <button type="button" class="button" onClick={() => void discovery.look()}>
            Look again
          </button>
        )}
      </div>
      <p>
        Running ComfyUI elsewhere, or behind a proxy? Add its address (on this computer it is usually <code>http://127.0.0.1:8188</code>).
      </p>
      <button type="button" class="button" onClick={addForm}>
        Add server
      </button>
    </section>
  );
}
