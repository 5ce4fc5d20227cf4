// The preferences window's building blocks: a row with its label in one column and its control (hint and error
// under it) in the other, a tick box row, a titled group of rows. Every control is labelled, every error is tied to
// its control (aria-invalid, aria-describedby) and announced.
import type { ComponentChildren } from 'preact';

export const inputValue = (e: Event): string => (e.currentTarget as HTMLInputElement).value;

/** aria attributes for a control with a hint and maybe an error. */
export function describedBy(id: string, error: string | undefined, hint: boolean): Record<string, string | boolean> {
  const ids = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return { ...(error && { 'aria-invalid': true }), ...(ids && { 'aria-describedby': ids }) };
}

export function FormRow(props: { id: string; label: string; error?: string | undefined; hint?: string | undefined; children: ComponentChildren }) {
  return (
    <div class={`form-row${props.error ? ' form-row--invalid' : ''}`}>
      <label class="form-row__label" for={props.id}>
        {props.label}
      </label>
      <div class="form-row__field">
        {props.children}
        {props.hint && (
          <span class="form-row__hint" id={`${props.id}-hint`}>
            {props.hint}
          </span>
        )}
        {props.error && (
          <span class="form-row__error" id={`${props.id}-error`} role="alert">
            {props.error}
          </span>
        )}
      </div>
    </div>
  );
}

/** A tick box in the field column, its label beside it (the label column stays empty, or names the group). */
export function CheckRow(props: { id?: string; label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string; groupLabel?: string }) {
  return (
    <div class="form-row form-row--check">
      <span class="form-row__label" aria-hidden="true">
        {props.groupLabel ?? ''}
      </span>
      <div class="form-row__field">
        <label class="check">
          <input id={props.id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)} {...(props.hint && props.id && { 'aria-describedby': `${props.id}-hint` })} />{' '}
          {props.label}
        </label>
        {props.hint && (
          <span class="form-row__hint" id={props.id ? `${props.id}-hint` : undefined}>
            {props.hint}
          </span>
        )}
      </div>
    </div>
  );
}

/** Tick boxes that belong together (notification kinds), under one label. */
export function CheckGroup(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="form-row" role="group" aria-label={props.label}>
      <span class="form-row__label" aria-hidden="true">
        {props.label}
      </span>
      <div class="form-row__field form-row__checks">{props.children}</div>
    </div>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)} /> {props.label}
    </label>
  );
}

export function FormGroup(props: { id: string; title: string; children: ComponentChildren; description?: string }) {
  return (
    <section class="form-group" aria-labelledby={`${props.id}-title`}>
      <h3 id={`${props.id}-title`} class="form-group__title">
        {props.title}
      </h3>
      {props.description && <p class="form-group__description">{props.description}</p>}
      {props.children}
    </section>
  );
}
