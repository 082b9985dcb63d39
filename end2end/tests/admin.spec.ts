import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

test('an admin creates a user who then signs in', async ({ page }, info) => {
  const no = `N${info.project.name.toUpperCase()}${Date.now() % 100000}`;
  const name = `新员工 ${no}`;
  const password = 'copper-meadow-lantern';
  await signIn(page, DEMO.admin.login);
  await expect(page.locator('h1')).toContainText(DEMO.admin.name);
  await page.goto('/admin/users/new');
  await ready(page, info);
  await page.locator('input[name=display_name]').fill(name);
  await page.locator('input[name=employee_no]').fill(no);
  await page.locator('input[name=email]').fill(`${no.toLowerCase()}@example.com`);
  await page.locator('select[name=locale]').selectOption('en');
  await page.locator('input[name=password]').fill(password);
  await page.locator('button.primary[type=submit]').click();
  await expect(page).toHaveURL(/\/admin\/users\/\d+/);
  await expect(page.locator('h1')).toHaveText(name);

  await page.goto(`/admin/users?q=${no}`);
  await expect(page.locator('table tbody tr')).toHaveCount(1);
  await signOut(page);

  await signIn(page, no, password);
  await expect(page.locator('h1')).toHaveText(`Hello, ${name}`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('a form error is shown in place, hydrated or not', async ({ page }, info) => {
  await signIn(page, DEMO.trainee.login);
  await page.goto('/account');
  await ready(page, info);
  await page.locator('input[name=current_password]').fill('not-my-password');
  await page.locator('input[name=new_password]').fill('copper-meadow-lantern');
  await page.locator('input[name=confirm_password]').fill('copper-meadow-lantern');
  await page.locator('form button.primary').click();
  await expect(page.locator('.alert.error')).toBeVisible();
  // Hydrated, the server function answers in place; without JavaScript the refusal comes back as
  // the page itself, never as an error carried in the address.
  await expect(page).not.toHaveURL(/__err=/);
});
