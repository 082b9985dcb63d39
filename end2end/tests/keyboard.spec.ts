import type { Locator, Page } from '@playwright/test';
import { DEMO, expect, makeQuiz, ready, signIn, signOut, startQuiz, test } from './helpers';

// The trainee's attempt and the rater's scoring with the keyboard alone: every control is reached
// with Tab, shows where the focus is, and is worked with Space, the arrows, typing and Enter.

/// Presses Tab until `reached` holds for the focused element (at most `max` presses).
async function tabUntil(page: Page, reached: () => Promise<boolean>, what: string, max = 120) {
  for (let i = 0; i < max; i++) {
    if (await reached()) {
      const outline = await page.evaluate(() => {
        const s = getComputedStyle(document.activeElement!);
        return s.outlineStyle === 'none' ? '' : s.outlineStyle;
      });
      expect(outline, `the focus on ${what} can be seen`).not.toBe('');
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${what}`);
}

const focusWithin = (l: Locator) => () => l.evaluate((el) => el.contains(document.activeElement));
const focused = (l: Locator) => () => l.evaluate((el) => el === document.activeElement);

test('a trainee answers and submits a quiz with the keyboard alone', async ({ page }, info) => {
  const title = `Keys ${info.project.name}-${Date.now() % 100000}`;
  await makeQuiz(page, info, title, 30, 3);
  await startQuiz(page, info, info.project.name === 'js' ? 'E1004' : 'E1005', title);
  const questions = page.locator('fieldset.question');
  const count = await questions.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const q = questions.nth(i);
    if ((await q.locator('input:not([type=hidden]), select, textarea').count()) === 0) continue;
    await tabUntil(page, focusWithin(q), `question ${i + 1}`);
    const kind = await page.evaluate(() => {
      const e = document.activeElement as HTMLInputElement;
      return e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase();
    });
    if (kind === 'radio' || kind === 'checkbox') await page.keyboard.press('Space');
    else if (kind === 'select') await page.keyboard.press('ArrowDown');
    else await page.keyboard.type('1');
  }
  await tabUntil(page, focused(page.locator('#submit-attempt')), 'the submit button');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/attempt\/\d+\/result$/);
  await expect(page.locator('.verdict')).toBeVisible();
});

test('a rater scores a role-play with the keyboard alone', async ({ page }, info) => {
  // The trainer opens a live role-play on a demo scenario (the setup may use the mouse).
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/scenarios');
  await ready(page, info);
  await page.locator('table.list tbody a', { hasText: 'Overdue furniture repair' }).click();
  await ready(page, info);
  await page.locator('form[action*="open_roleplay"] input[name=employee_no]').fill(info.project.name === 'js' ? 'E1007' : 'E1008');
  await page.getByRole('button', { name: 'Open role-play' }).click();
  await expect(page).toHaveURL(/\/roleplay\/\d+$/);
  await ready(page, info);

  // Each criterion: Tab into its levels, Space takes the first, two arrows down take level 2.
  const criteria = page.locator('form fieldset.criterion');
  const count = await criteria.count();
  expect(count).toBeGreaterThan(1);
  for (let i = 0; i < count; i++) {
    await tabUntil(page, focusWithin(criteria.nth(i).locator('.levels')), `criterion ${i + 1}`);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(criteria.nth(i).locator('input[type=radio][value="2"]')).toBeChecked();
  }
  await tabUntil(page, focused(page.getByRole('button', { name: 'Submit rating' })), 'the submit button');
  await page.keyboard.press('Enter');
  // The only rater: the result is final at once, every criterion at 2 of 4.
  await expect(page.locator('.result .verdict')).toContainText('50%');
  await signOut(page);
});
