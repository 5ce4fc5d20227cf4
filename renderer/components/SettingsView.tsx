// The preferences window: sections in a side list (Servers, Outputs, Notifications, General; each says when it has
// unsaved changes or problems), the section's aligned label/field rows, and a footer that says whether anything is
// unsaved, with Save and Discard. Leaving with unsaved changes asks first (save, discard, or keep editing). The side
// list is a vertical tab list: arrow keys move between sections, Tab goes on into the section.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { SETTINGS_SECTIONS, type SettingsSection } from '../models/settings-model.js';
import { useServices } from '../services.js';
import { FeedbackArea } from './FeedbackArea.js';
import { GeneralSection } from './settings/GeneralSection.js';
import { NotificationsSection } from './settings/NotificationsSection.js';
import { OutputsSection } from './settings/OutputsSection.js';
import { ServersSection } from './settings/ServersSection.js';

const TITLES: Record<SettingsSection, string> = { servers: 'Servers', outputs: 'Outputs', notifications: 'Notifications', general: 'General' };

function SectionTabs() {
  const { settings } = useServices();
  const current = settings.section.value;
  const changed = settings.changedSections.value;
  const problems = settings.problemSections.value;
  const tabs = useRef<HTMLDivElement>(null);
  const select = (section: SettingsSection, focus: boolean): void => {
    settings.section.value = section;
    if (focus) tabs.current?.querySelector<HTMLElement>(`#settings-tab-${section}`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    const at = SETTINGS_SECTIONS.indexOf(current);
    const to = event.key === 'ArrowDown' || event.key === 'ArrowRight' ? at + 1 : event.key === 'ArrowUp' || event.key === 'ArrowLeft' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? SETTINGS_SECTIONS.length - 1 : undefined;
    if (to === undefined) return;
    event.preventDefault();
    select(SETTINGS_SECTIONS[(to + SETTINGS_SECTIONS.length) % SETTINGS_SECTIONS.length]!, true);
  };
  return (
    <div ref={tabs} class="prefs__nav" role="tablist" aria-orientation="vertical" aria-label="Settings sections" onKeyDown={onKeyDown}>
      {SETTINGS_SECTIONS.map((section) => {
        const note = problems.has(section) ? 'has problems' : changed.has(section) ? 'changed' : undefined;
        return (
          <button
            key={section}
            id={`settings-tab-${section}`}
            type="button"
            role="tab"
            class={`prefs__tab${section === current ? ' prefs__tab--current' : ''}`}
            aria-selected={section === current}
            aria-controls="settings-panel"
            tabIndex={section === current ? 0 : -1}
            onClick={() => select(section, false)}
            {...(note && { 'aria-description': note })}
          >
            <span>{TITLES[section]}</span>
            {note && <span class={`prefs__mark prefs__mark--${problems.has(section) ? 'problem' : 'changed'}`} aria-hidden="true" title={note} />}
          </button>
        );
      })}
    </div>
  );
}

function CurrentSection({ section }: { section: SettingsSection }) {
  switch (section) {
    case 'servers':
      return <ServersSection />;
    case 'outputs':
      return <OutputsSection />;
    case 'notifications':
      return <NotificationsSection />;
    case 'general':
      return <GeneralSection />;
  }
}

/** Leaving with unsaved changes: save them, drop them, or stay. Focus goes to "Keep editing", the harmless choice. */
function LeaveQuestion({ onLeave, onStay }: { onLeave: () => void; onStay: () => void }) {
  const { settings } = useServices();
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  const saveAndLeave = async (): Promise<void> => {
    await settings.save();
    if (!settings.dirty.peek()) onLeave();
  };
  return (
    <div
      class="leave-question"
      role="alertdialog"
      aria-labelledby="leave-question-text"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onStay();
        }
      }}
    >
      <p id="leave-question-text" class="leave-question__text">
        {settings.valid.value ? 'You have unsaved changes.' : 'You have unsaved changes, and some fields have problems.'}
      </p>
      <div class="leave-question__buttons">
        <button type="button" class="button button--primary" disabled={!settings.valid.value || settings.saving.value} onClick={() => void saveAndLeave()}>
          Save and go back
        </button>
        <button
          type="button"
          class="button button--danger"
          onClick={() => {
            settings.discard();
            onLeave();
          }}
        >
          Discard changes
        </button>
        <button ref={keep} type="button" class="button" onClick={onStay}>
          Keep editing
        </button>
      </div>
    </div>
  );
}

export function SettingsView({ onClose }: { onClose: () => void }) {
  const { settings } = useServices();
  const leaving = useSignal(false);
  useEffect(() => {
    void settings.load();
  }, [settings]);
  const form = settings.form.value;
  const message = settings.message.value;
  const back = (): void => {
    if (settings.dirty.value && settings.changedSections.value.size > 0) leaving.value = true;
    else onClose();
  };
  const header = (
    <header class="settings__header">
      <button type="button" class="button" onClick={back}>
        ‹ Back to queue
      </button>
      <h1>Settings</h1>
    </header>
  );
  if (!form) {
    return (
      <main class="app settings">
        {header}
        <FeedbackArea />
        {message ? <p class={`settings__message settings__message--${message.kind}`}>{message.text}</p> : <p class="loading">Loading…</p>}
      </main>
    );
  }
  const section = settings.section.value;
  const unsaved = settings.changedSections.value.size > 0;
  return (
    <main class="app settings">
      {header}
      <FeedbackArea />
      <form
        class="prefs"
        onSubmit={(e) => {
          e.preventDefault();
          void settings.save();
        }}
      >
        <SectionTabs />
        <div id="settings-panel" class="prefs__panel" role="tabpanel" aria-labelledby={`settings-tab-${section}`}>
          <h2 class="prefs__title">{TITLES[section]}</h2>
          <CurrentSection section={section} />
        </div>
        <footer class="settings__footer">
          {leaving.value ? (
            <LeaveQuestion
              onLeave={() => {
                leaving.value = false;
                onClose();
              }}
              onStay={() => (leaving.value = false)}
            />
          ) : (
            <>
              <p class="settings__status" role="status">
                {message ? (
                  <span class={`settings__message settings__message--${message.kind}`}>{message.text}</span>
                ) : !settings.valid.value ? (
                  <span class="settings__message settings__message--error">Some fields have problems: the sections marked in the list say where.</span>
                ) : unsaved ? (
                  'Unsaved changes'
                ) : (
                  'All changes saved'
                )}
              </p>
              <button type="button" class="button" disabled={!unsaved || settings.saving.value} onClick={() => settings.discard()}>
                Discard changes
              </button>
              <button type="submit" class="button button--primary" disabled={!settings.valid.value || !unsaved || settings.saving.value}>
                {settings.saving.value ? 'Saving…' : 'Save'}
              </button>
            </>
          )}
        </footer>
      </form>
    </main>
  );
}
