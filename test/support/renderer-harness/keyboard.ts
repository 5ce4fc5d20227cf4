// Keyboard-only paths in the e2e tests: reach a control by pressing Tab (never by focusing it from the test), so a
// control that Tab cannot reach fails the test.
import type { Page } from 'playwright-core';

/** The accessible name Chromium would give the focused element, near enough: aria-label, else its text. */
const FOCUSED_NAME = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';
  return el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].textContent : '') || el.textContent || '';
})()`;

export async function focusedName(page: Page): Promise<string> {
  return ((await page.evaluate(FOCUSED_NAME)) as string).trim();
}

/** Presses Tab (Shift+Tab with `back`) until the focused control's name matches; throws after `limit` presses. */
export async function tabTo(page: Page, name: string | RegExp, options: { limit?: number; back?: boolean } = {}): Promise<void> {
  const matches = (text: string): boolean => (typeof name === 'string' ? text === name : name.test(text));
  const limit = options.limit ?? 120;
  for (let i = 0; i < limit; i++) {
    if (matches(await focusedName(page))) return;
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
  }
  if (matches(await focusedName(page))) return;
  throw new Error(`Tab never reached ${String(name)} (last focus: ${await focusedName(page)})`);
}

/** No sideways scrolling: the page is not wider than the window. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
