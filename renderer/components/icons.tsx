// Small line icons for row actions, drawn in the text colour (so both themes and forced colours work). Decorative:
// the buttons carry the names.
import type { ComponentChildren } from 'preact';

function Icon({ children }: { readonly children: ComponentChildren }) {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const OpenIcon = () => (
  <Icon>
    <path d="M9 2.5h4.5V7M13.5 2.5 7 9M11.5 9.5v3.5h-9v-9H6" />
  </Icon>
);

export const FolderIcon = () => (
  <Icon>
    <path d="M1.75 4V12.5h12.5V5.5H7.5L6 3.5H1.75z" />
  </Icon>
);

export const RerunIcon = () => (
  <Icon>
    <path d="M13.25 8A5.25 5.25 0 1 1 11.7 4.3M13.25 2.25v3.5h-3.5" />
  </Icon>
);

export const CopyIcon = () => (
  <Icon>
    <path d="M5.5 5.5h8v8h-8zM10.5 5.5v-3h-8v8h3" />
  </Icon>
);

export const ToFrontIcon = () => (
  <Icon>
    <path d="M3 2.5h10M8 13.5V5.5M4.75 8.75 8 5.5l3.25 3.25" />
  </Icon>
);

export const ToBackIcon = () => (
  <Icon>
    <path d="M3 13.5h10M8 2.5v8M4.75 7.25 8 10.5l3.25-3.25" />
  </Icon>
);

export const PauseIcon = () => (
  <Icon>
    <path d="M5.5 3v10M10.5 3v10" />
  </Icon>
);

export const PlayIcon = () => (
  <Icon>
    <path d="M4.5 2.75v10.5L13 8z" />
  </Icon>
);

export const RemoveIcon = () => (
  <Icon>
    <path d="M3.5 4.5h9M6.5 4.5v-2h3v2M5 4.5l.5 9h5l.5-9" />
  </Icon>
);

export const ChevronIcon = ({ open }: { readonly open: boolean }) => (
  <Icon>
    <path d={open ? 'M3.5 10 8 5.5l4.5 4.5' : 'M3.5 6 8 10.5 12.5 6'} />
  </Icon>
);
