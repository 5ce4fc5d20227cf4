// Files that could not be opened (not a workflow, too large, unreadable), each with its reason and a Dismiss button.
// Shown inside the submit dialog while one is open (focus is kept there), else floating over the window.
import { useServices } from '../services.js';

export function DropFailures({ floating = false }: { readonly floating?: boolean }) {
  const { drop } = useServices();
  const failures = drop.failures.value;
  if (failures.length === 0) return null;
  return (
    <section class={`drop-failures${floating ? ' drop-failures--floating' : ''}`} role="alert" aria-label="Files not opened">
      <ul>
        {failures.map((f) => (
          <li key={f.id} class="drop-failures__item">
            <span>
              <strong>Not opened: {f.name}</strong> — {f.message}
            </span>
            <button type="button" class="button button--small" onClick={() => drop.dismissFailure(f.id)} aria-label={`Dismiss: ${f.name}`}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
