// Applies the theme setting to the whole document: read once at start, then again whenever the settings are saved.
import { useSignalEffect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { applyTheme } from '../models/theme.js';
import { useServices } from '../services.js';

export function useDocumentTheme(): void {
  const { settings } = useServices();
  useEffect(() => {
    void settings.loadSaved();
  }, [settings]);
  // An effect, not a render: the component using this hook does not re-render when the theme changes.
  useSignalEffect(() => applyTheme(document.documentElement, settings.theme.value));
}
