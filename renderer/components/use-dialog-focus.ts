// A modal dialog's focus: it moves in when the dialog opens, Tab stays inside, Escape calls `onEscape`, and focus
// returns to where it was when the dialog closes (if that element is still there).
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'button:not([disabled]), video[controls], audio[controls], select:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

export function useDialogFocus(dialog: RefObject<HTMLElement | null>, onEscape: () => void): void {
  // The latest handler without re-running the effect (which would move focus again).
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const items = (): HTMLElement[] => Array.from(element.querySelectorAll<HTMLElement>(FOCUSABLE));
    (items()[0] ?? element).focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') {
        event.preventDefault();
        escape.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const list = items();
      const first = list[0];
      const last = list[list.length - 1];
      const active = document.activeElement;
      if (!first || !last) {
        event.preventDefault();
      } else if (event.shiftKey && (active === first || !element.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !element.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (before?.isConnected) before.focus();
    };
  }, [dialog]);
}
