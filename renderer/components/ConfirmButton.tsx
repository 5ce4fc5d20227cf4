// A button whose action asks first, inline: the button gives way to the question with Confirm and Keep. Focus goes to
// Keep (the harmless choice, so an extra Enter changes nothing) and back to the button afterwards; Escape keeps.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmButtonProps {
  /** The button's text and accessible name. */
  readonly text: string;
  readonly label: string;
  /** What will happen, as a question: "Remove all 3 pending jobs on Studio?" */
  readonly question: string;
  readonly confirmText?: string;
  readonly onConfirm: () => void;
  readonly small?: boolean;
}

let nextId = 0;

export function ConfirmButton({ text, label, question, confirmText = 'Confirm', onConfirm, small = false }: ConfirmButtonProps) {
  const size = small ? ' button--small' : '';
  const asking = useSignal(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const questionId = useRef(`confirm-${++nextId}`).current;
  // Set when the question closes, so focus returns to the button only then (not on the first render).
  const refocus = useRef(false);
  const open = asking.value;
  useEffect(() => {
    if (open) keep.current?.focus();
    else if (refocus.current) {
      refocus.current = false;
      trigger.current?.focus();
    }
  }, [open]);
  const close = (): void => {
    refocus.current = true;
    asking.value = false;
  };
  if (!open) {
    return (
      <button ref={trigger} type="button" class={`button button--danger${size}`} aria-label={label} onClick={() => (asking.value = true)}>
        {text}
      </button>
    );
  }
  return (
    <div
      class="confirm"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          close();
        }
      }}
    >
      <span id={questionId} class="confirm__question">
        {question}
      </span>
      <button
        type="button"
        class={`button button--danger${size}`}
        onClick={() => {
          close();
          onConfirm();
        }}
      >
        {confirmText}
      </button>
      <button ref={keep} type="button" class={`button${size}`} onClick={close}>
        Keep
      </button>
    </div>
  );
}
