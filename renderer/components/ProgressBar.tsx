// An accessible progress bar: the ARIA values are what screen readers announce, the fill is only decoration.
export interface ProgressBarProps {
  /** 0…1; undefined shows an indeterminate bar (the job started but the server has not said how far it is). */
  readonly value: number | undefined;
  readonly label: string;
}

export function ProgressBar({ value, label }: ProgressBarProps) {
  const percent = value === undefined ? undefined : Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div
      class={`progress${percent === undefined ? ' progress--indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={percent === undefined ? 'Starting' : `${percent}%`}
    >
      <div class="progress__fill" style={{ width: percent === undefined ? undefined : `${percent}%` }} />
    </div>
  );
}
