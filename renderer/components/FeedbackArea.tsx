// Action feedback: a polite live region for progress and success, errors kept until dismissed.
import { useServices } from '../services.js';

export function FeedbackArea() {
  const { feedback } = useServices();
  const messages = feedback.messages.value;
  return (
    <div class="feedback" role="status" aria-live="polite">
      {messages.map((m) => (
        <div key={m.id} class={`feedback__item feedback__item--${m.kind}`}>
          <span>{m.text}</span>
          {m.kind === 'error' && (
            <button type="button" class="button button--small" onClick={() => feedback.dismiss(m.id)} aria-label={`Dismiss: ${m.text}`}>
              Dismiss
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
