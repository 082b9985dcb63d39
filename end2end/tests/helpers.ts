import { expect, Page, TestInfo, test as base } from '@playwright/test';

/// Every spec fails on a Content-Security-Policy violation, an uncaught script error or a Rust
/// panic in the browser, so hydration problems cannot pass silently.
export const test = base.extend<{ browserErrors: void }>({
  browserErrors: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (m) => {
        const text = m.text();
        if (text.includes('Content Security Policy') || text.includes('panicked')) problems.push(text);
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await use();
      expect(problems, 'errors in the browser').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export const DEMO_PASSWORD = 'floorready-demo';

export const DEMO = {
  admin: { login: 'admin@demo.floorready', name: '系统管理员 Admin' },
  manager: { login: 'manager@demo.floorready', name: '王经理 Wang Lei' },
  trainer: { login: 'trainer@demo.floorready', name: '陈培训师 Chen Jing' },
  trainee: { login: 'E1001', name: '李娜 Li Na' },
};

export async function signIn(page: Page, login: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form[action*="/api/login"] button[type=submit]').click();
}

export async function signOut(page: Page) {
  // On a phone the menu is folded behind its button.
  const menu = page.locator('label.menu-button');
  if (await menu.isVisible()) await menu.click();
  await page.locator('form[action*="/api/logout"] button').click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator('input[name=login]')).toBeVisible();
}

/// Waits for hydration in the JavaScript project; a no-op without JavaScript.
export async function ready(page: Page, info: TestInfo) {
  if (info.project.name === 'js') {
    await page.waitForFunction(() => (window as any).__floorready_hydrated === true);
  }
}

// The trainer reads English: the course's English title.
const COURSE = 'After-sales customer service onboarding';

/// The trainer makes and publishes a quiz of `count` questions drawn from the demo bank, with a
/// time limit in minutes; returns its title.
export async function makeQuiz(page: Page, info: TestInfo, title: string, minutes: number, count: number) {
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/quizzes');
  await ready(page, info);
  await page.locator('select[name=course_id]').selectOption({ label: COURSE });
  await page.locator('input[name=title_en]').fill(title);
  await page.locator('input[name=time_limit_minutes]').fill(String(minutes));
  await page.getByRole('button', { name: 'Create quiz' }).click();
  await expect(page).toHaveURL(/\/trainer\/quizzes\/\d+$/);
  await ready(page, info);
  const bank = page.locator('select[name=bank_id] option', { hasText: 'After-sales question bank' });
  await page.locator('select[name=bank_id]').selectOption((await bank.getAttribute('value'))!);
  await page.locator('input[name=category]').fill('售后服务 After-sales');
  await page.locator('input[name=draw_count]').fill(String(count));
  await page.getByRole('button', { name: 'Add a random draw' }).click();
  await expect(page.locator('li.slot')).toHaveCount(1);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('p.status')).toHaveText('Published');
  await signOut(page);
}

/// The trainee opens the quiz from My learning in the Chinese UI and starts it.
export async function startQuiz(page: Page, info: TestInfo, login: string, title: string) {
  await signIn(page, login);
  await page.goto('/learn');
  await ready(page, info);
  const zh = page.locator('form.lang button[lang=zh-CN]');
  if (await zh.isEnabled()) {
    await zh.click();
    await expect(zh).toBeDisabled();
  }
  await page.locator('li.quiz a', { hasText: title }).click();
  await ready(page, info);
  await page.getByRole('button', { name: '开始' }).click();
  await expect(page).toHaveURL(/\/attempt\/\d+$/);
  await ready(page, info);
}
