import { DEMO, expect, signIn, signOut, test } from './helpers';

for (const [role, who] of Object.entries(DEMO)) {
  test(`${role} signs in and out`, async ({ page }) => {
    await signIn(page, who.login);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('h1')).toContainText(who.name);
    await expect(page.locator('a.who')).toHaveText(who.name);
    await signOut(page);
    // The session is over on the server: the home page sends us back to sign in.
    await page.goto('/');
    await expect(page).toHaveURL(/\/login/);
  });
}

test('admin sees the admin menu, a trainee does not', async ({ page }) => {
  await signIn(page, DEMO.admin.login);
  // The menu is grouped by area; a group opens on a click (a <details>, so without JavaScript too).
  await expect(page.locator('nav a[href="/admin/users"]')).toBeHidden();
  await page.locator('nav details.group summary', { hasText: '系统管理' }).click();
  await expect(page.locator('nav a[href="/admin/users"]')).toBeVisible();
  await signOut(page);
  await signIn(page, DEMO.trainee.login);
  await expect(page.locator('h1')).toContainText(DEMO.trainee.name);
  await expect(page.locator('nav a[href="/admin/users"]')).toHaveCount(0);
  const refused = await page.goto('/admin/users');
  expect(refused!.status()).toBe(403);
  await expect(page.locator('.error-page')).toBeVisible();
  await expect(page.locator('table')).toHaveCount(0);
});

test('a wrong password shows an error and signs nobody in', async ({ page }) => {
  await signIn(page, DEMO.trainer.login, 'not-the-password');
  await expect(page.locator('.alert.error')).toContainText('wrong');
  await expect(page.locator('input[name=password]')).toBeVisible();
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('the language switch changes every string', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('h1')).toHaveText('Sign in');
  await page.locator('button[name=locale][value="zh-CN"]').click();
  await expect(page.locator('h1')).toHaveText('登录');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.locator('label').first()).toContainText('邮箱或工号');
  await page.locator('button[name=locale][value="en"]').click();
  await expect(page.locator('h1')).toHaveText('Sign in');
});
