import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

const TRAINER2 = { login: 'trainer2@demo.floorready', name: '刘培训师 Liu Yang' };
const TRAINEE = { login: 'E1002', name: '张伟 Zhang Wei' };

test('a trainer writes a rubric and a scenario, two trainers score blind, the trainee sees the result and the gap', async ({ page }, info) => {
  const stamp = `${info.project.name}-${Date.now() % 100000}`;

  // A rubric of two criteria; policy facts is critical with pass level 2.
  await signIn(page, DEMO.trainer.login);
  await expect(page.locator('h1')).toContainText(DEMO.trainer.name);
  await page.goto('/trainer/rubrics/new');
  await ready(page, info);
  await page.locator('input[name=name]').fill(`Rubric ${stamp}`);
  await page.locator('input[name="criteria[0][name_en]"]').fill('Empathy 共情');
  await page.locator('input[name="criteria[0][weight]"]').fill('1');
  await page.locator('textarea[name="criteria[0][levels]"]').fill('cold\npolite\nwarm');
  await page.locator('input[name="criteria[1][name_en]"]').fill('Policy facts 政策');
  await page.locator('input[name="criteria[1][weight]"]').fill('2');
  await page.locator('input[name="criteria[1][critical]"]').check();
  // The pass level is picked, counted from 1 as raters see the levels ("Level 3" is stored as 2).
  await page.locator('select[name="criteria[1][pass_level]"]').selectOption({ label: 'Level 3' });
  await page.locator('textarea[name="criteria[1][levels]"]').fill('wrong\nvague\nright');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/trainer\/rubrics\/\d+\?saved=1$/);
  await expect(page.locator('.alert.ok')).toContainText('Saved');
  await expect(page.locator('input[name="criteria[1][name_en]"]')).toHaveValue('Policy facts 政策');
  // Saved, it offers the criterion's own levels, the pass level chosen.
  await expect(page.locator('select[name="criteria[1][pass_level]"] option:checked')).toHaveText('3. right');

  // A scenario on that rubric.
  await page.goto('/trainer/scenarios/new');
  await ready(page, info);
  await page.locator('input[name=title_en]').fill(`Late repair ${stamp}`);
  await page.locator('select[name=channel]').selectOption('phone');
  await page.locator('textarea[name=situation]').fill('The repair visit is two weeks late. 维修超期两周。');
  await page.locator('textarea[name=cues]').fill(`Ask for the manager ${stamp}-CUE`);
  await page.locator('textarea[name=facts]').fill(`12 hours on site ${stamp}-FACT`);
  await page.locator('select[name=rubric_id]').selectOption({ label: `Rubric ${stamp}` });
  await page.locator('input[name=pass_percent]').fill('60');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/trainer\/scenarios\/\d+\?saved=1$/);
  await ready(page, info);

  // Open a live role-play for Zhang Wei with a blind second rater.
  await page.locator('form[action*="open_roleplay"] input[name=employee_no]').fill(TRAINEE.login);
  await page.locator('input[name=second_rater]').fill('T1002');
  await page.getByRole('button', { name: 'Open role-play' }).click();
  await expect(page).toHaveURL(/\/roleplay\/\d+$/);
  const url = new URL(page.url()).pathname;
  await expect(page.getByText(`${stamp}-FACT`)).toBeVisible();
  await signOut(page);

  // The trainee assesses themselves first (Chinese UI), and sees neither cues nor facts.
  await signIn(page, TRAINEE.login);
  await page.goto(url);
  await ready(page, info);
  await expect(page.locator('h1')).toContainText(`Late repair ${stamp}`);
  await expect(page.getByText(`${stamp}-CUE`)).toHaveCount(0);
  await expect(page.getByText(`${stamp}-FACT`)).toHaveCount(0);
  await page.locator('input[name="scores[0][level]"][value="2"]').check();
  await page.locator('input[name="scores[1][level]"][value="2"]').check();
  await page.locator('.score button[type=submit]').click();
  await expect(page.locator('.score')).toHaveCount(0);
  await expect(page.locator('section.card', { hasText: 'warm' }).first()).toBeVisible();
  await signOut(page);

  // The first trainer scores on a phone-sized screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, DEMO.trainer.login);
  await page.goto(url);
  await ready(page, info);
  await page.locator('input[name="scores[0][level]"][value="2"]').check();
  await page.locator('input[name="scores[1][level]"][value="2"]').check();
  await page.locator('textarea[name="scores[1][comment]"]').fill(`Stated the 12-hour rule ${stamp}-R1`);
  await page.getByRole('button', { name: 'Submit rating' }).click();
  await expect(page.locator('.alert.ok')).toContainText('Your rating is saved');
  await expect(page.locator('.alert', { hasText: 'when the other rater has submitted' })).toBeVisible();
  await expect(page.locator('.result')).toHaveCount(0);
  await signOut(page);

  // The second trainer (Chinese UI) sees the scenario but not the first rating, and scores lower.
  await signIn(page, TRAINER2.login);
  await page.goto(url);
  await ready(page, info);
  await expect(page.getByText(`${stamp}-FACT`)).toBeVisible();
  await expect(page.getByText(`${stamp}-R1`)).toHaveCount(0);
  await page.locator('input[name="scores[0][level]"][value="1"]').check();
  await page.locator('input[name="scores[1][level]"][value="2"]').check();
  await page.getByRole('button', { name: '提交评分' }).click();
  await expect(page.locator('.result .verdict')).toContainText('通过');
  // Average: empathy 1.5/2, facts 2/2 → (0.75·1 + 1·2) / 3 = 92%.
  await expect(page.locator('.result .verdict')).toContainText('92%');
  await expect(page.getByText(`${stamp}-R1`)).toBeVisible();
  await signOut(page);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The trainee now sees the result, the comments and the gap to their own view.
  await signIn(page, TRAINEE.login);
  await page.goto(url);
  await ready(page, info);
  await expect(page.locator('.result .verdict')).toContainText('92%');
  await expect(page.getByText(`${stamp}-R1`)).toBeVisible();
  await expect(page.locator('section.gap tbody tr')).toHaveCount(2);
  await expect(page.locator('section.gap tbody tr').first()).toContainText('+0.5');
  await signOut(page);

  // The calibration page lists the pair of demo trainers.
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/calibration');
  await ready(page, info);
  const overall = page.locator('table.calibration tr.overall', { hasText: `${DEMO.trainer.name} · ${TRAINER2.name}` });
  await expect(overall).toHaveCount(1);
  await expect(overall).toContainText('All criteria');
  await page.locator('input[name=threshold]').fill('0.99');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/threshold=0.99/);
  await expect(page.locator('tr.flagged').first()).toContainText('Below threshold');
});
