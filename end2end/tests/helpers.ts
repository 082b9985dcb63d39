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
