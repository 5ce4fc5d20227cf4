// A row action: an icon and a word. In a narrow window (or at high zoom) only the icon shows, so the row keeps
// room for the job's name; the accessible name and the tooltip always give the full action ("Re-run Portrait").
import type { ComponentChild } from 'preact';

export interface ActionButtonProps {
  readonly icon: ComponentChild;
  readonly text: string;
  readonly label: string;
  readonly onClick: () => void;
  readonly disabled?: boolean;
  readonly danger?: boolean;
  /** Keep the word at any width (where there is room for it, such as the viewer's footer). */
  readonly keepText?: boolean;
}

export function ActionButton({ icon, text, label, onClick, disabled = false, danger = false, keepText = false }: ActionButtonProps) {
  return (
    <button type="button" class={`button ${keepText ? 'button--with-icon' : 'button--action'}${danger ? ' button--danger' : ''}`} onClick={onClick} aria-label={label} title={label} disabled={disabled}>
      {icon}
      <span class="button__text">{text}</span>
    </button>
  );
}
