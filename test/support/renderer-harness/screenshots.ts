// The README's screenshots come from the end-to-end tests: with SCREENSHOTS=1 a test writes its states to
// docs/screenshots/ (CI leaves them alone).
import type { Page } from 'playwright-core';

export const SCREENSHOTS = process.env.SCREENSHOTS === '1';

/** Saves the page as docs/screenshots/<name>.png; `subject` is scrolled to the centre first (a sticky footer would hide it). */
export async function shot(page: Page, name: string, subject?: string): Promise<void> {
  if (!SCREENSHOTS) return;
  if (subject) await page.locator(subject).evaluate((element) => element.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: false });
}
