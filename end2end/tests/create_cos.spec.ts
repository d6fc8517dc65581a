// Issue 17 (part): Create and assign CoS — a draft saved incomplete and finished later, a
// pre-stored address, Assign with its confirmation, as Level 1 and Level 2, on a desktop and a
// 320 px phone, and the whole journey without JavaScript.
import { test, expect, checkPage, signIn, DEMO } from './helpers';
import type { Page } from '@playwright/test';

function uk(daysFromNow: number) {
  const d = new Date(Date.now() + daysFromNow * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

async function fillWorker(page: Page, family: string) {
  await page.getByLabel('Family name').fill(family);
  await page.getByLabel('Given names').fill('Adaeze');
  await page.getByLabel('Nationality').fill('Nigeria');
  await page.getByLabel('Place of birth').fill('Enugu');
  await page.getByLabel('Country of birth').fill('Nigeria');
  await page.getByLabel('Date of birth').fill('14/07/1992');
  await page.getByLabel('Gender').selectOption('Female');
  await page.getByLabel('Country of residence').fill('Nigeria');
  await page.getByLabel('Passport or travel document number').fill('B7654321');
  await page.getByLabel('Issue date').fill(uk(-300));
  await page.getByLabel('Expiry date').fill(uk(3000));
  await page.getByLabel('Place of issue').fill('Abuja');
  await page.getByLabel('Home address').fill('4 Ogui Road, Enugu, Nigeria');
}

async function fillJob(page: Page) {
  await page.getByLabel('Work start date').fill(uk(40));
  await page.getByLabel('Work end date').fill(uk(900));
  await page.getByLabel('Total weekly working hours').fill('37.5');
  await page.getByLabel('Job title').fill('Software developer');
  await page.getByLabel('Occupation code (SOC 2020)').fill('2134');
  await page.getByLabel('Job description').fill('Builds and runs our systems.');
  await page.getByLabel('Gross annual salary (£)').fill('52,000');
  await page.getByLabel('Yes').check();
}

test('create a CoS, save it incomplete, finish it with a pre-stored address, and assign it', async ({ page, consoleErrors }, testInfo) => {
  const who = testInfo.project.name === 'phone' ? DEMO.l2 : DEMO.l1;
  await signIn(page, who);
  await page.getByRole('link', { name: 'Create and assign CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create and assign CoS');
  await checkPage(page);
  await page.getByLabel('Skilled Worker').check();
  await page.getByRole('button', { name: 'Create a single CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create a CoS');
  await checkPage(page);

  // Saved with the worker only: WORK IN PROGRESS, with what is still missing.
  const family = `Eze${testInfo.project.name}`;
  await fillWorker(page, family);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS saved');
  await expect(page.getByRole('status')).toContainText('WORK IN PROGRESS');
  await expect(page.locator('main')).toContainText('Job title');
  await checkPage(page);
  const number = (await page.getByRole('status').locator('strong').textContent())!.trim();
  expect(number).toMatch(/^C[A-Z0-9]{10}$/);

  // Edit: a wrong code is told by its field and keeps what was typed.
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Edit CoS');
  await expect(page.getByLabel('Family name')).toHaveValue(family);
  await checkPage(page);
  await fillJob(page);
  await page.getByLabel('Occupation code (SOC 2020)').fill('9999');
  // The pre-stored address fills the address fields at once.
  await page.getByLabel('Pre-stored address (optional)', { exact: true }).selectOption({ index: 1 });
  await expect(page.getByLabel('Address line 1', { exact: true })).not.toHaveValue('');
  const line1 = await page.getByLabel('Address line 1', { exact: true }).inputValue();
  // Another regular place of work: a pre-stored address fills it at once too; then typed over.
  await page.getByLabel('Pre-stored address (optional) for other address 1').selectOption({ index: 1 });
  await expect(page.locator('#other1_line1')).toHaveValue(line1);
  await expect(page.locator('#other1_postcode')).not.toHaveValue('');
  for (const part of ['line2', 'line3', 'county']) await page.locator(`#other1_${part}`).fill('');
  await page.locator('#other1_line1').fill('2 Quay Street');
  await page.locator('#other1_town').fill('Bristol');
  await page.locator('#other1_postcode').fill('bs1 4dj');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter the 4-digit code of a SOC 2020 unit group');
  await expect(page.getByLabel('Occupation code (SOC 2020)')).toHaveValue('9999');
  await expect(page.getByLabel('Job title')).toHaveValue('Software developer');
  await checkPage(page);
  await page.getByLabel('Occupation code (SOC 2020)').fill('2134');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('READY TO GO');

  // Assign: the confirmation shows the fee and what is left of the allocation.
  await page.getByRole('link', { name: 'Assign', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm CoS details before assigning');
  await expect(page.locator('main')).toContainText('£525');
  await expect(page.locator('main')).toContainText(line1);
  await expect(page.locator('main')).toContainText('2 Quay Street, Bristol, BS1 4DJ');
  await checkPage(page);
  await page.getByRole('button', { name: 'Assign CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS assigned');
  await expect(page.getByRole('status')).toContainText(number);
  await checkPage(page);
  await page.getByRole('link', { name: 'View CoS' }).click();
  await expect(page.locator('.status--large')).toHaveText('ASSIGNED');
  // Nothing to edit, delete or copy any more.
  await expect(page.getByRole('link', { name: 'Edit CoS' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Delete CoS' })).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});

test('a draft is deleted after a confirmation', async ({ page, consoleErrors }) => {
  await signIn(page, DEMO.l1);
  await page.goto('/create-cos');
  await page.getByLabel('Creative Worker').check();
  await page.getByRole('button', { name: 'Create a single CoS' }).click();
  await page.getByLabel('Family name').fill('Todelete');
  await page.getByRole('button', { name: 'Save' }).click();
  const number = (await page.getByRole('status').locator('strong').textContent())!.trim();
  await page.getByRole('link', { name: 'View CoS' }).click();
  await page.getByRole('link', { name: 'Delete CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Delete CoS');
  await checkPage(page);
  await page.getByRole('button', { name: 'Delete CoS' }).click();
  await expect(page.getByRole('status')).toContainText(`CoS ${number} has been deleted.`);
  await page.goto(`/view-cos?cos_number=${number}`);
  await expect(page.getByRole('status')).toHaveText('No CoS match your search. Check the details and try again.');
  expect(consoleErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('create a complete CoS with a pre-stored address and assign it', async ({ page }, testInfo) => {
    await signIn(page, DEMO.l1);
    await page.goto('/create-cos');
    await page.getByLabel('Skilled Worker').check();
    await page.getByRole('button', { name: 'Create a single CoS' }).click();
    await fillWorker(page, `Nojs${testInfo.project.name}`);
    await fillJob(page);
    // Without scripts the chosen address is copied in when the CoS is saved.
    await page.getByLabel('Pre-stored address (optional)', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('Pre-stored address (optional) for other address 1').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status')).toContainText('READY TO GO');
    await checkPage(page, { javascript: false });
    // Both were copied in when it was saved: Edit shows them as the CoS keeps them.
    const saved = page.url();
    await page.getByRole('link', { name: 'Edit' }).click();
    const line1 = await page.locator('#work_address_line1').inputValue();
    expect(line1).not.toBe('');
    await expect(page.locator('#other1_line1')).toHaveValue(line1);
    await expect(page.locator('#other1_postcode')).toHaveValue(await page.locator('#work_address_postcode').inputValue());
    await page.goto(saved);
    await page.getByRole('link', { name: 'Assign', exact: true }).click();
    await page.getByRole('button', { name: 'Assign CoS' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('CoS assigned');
  });
});

const HEADER = 'family_name,given_names,nationality,place_of_birth,country_of_birth,date_of_birth,gender,country_of_residence,' +
  'passport_number,passport_issue_date,passport_expiry_date,passport_place_of_issue,home_address';

function workersCsv(n: number, bad?: number) {
  const rows = [HEADER];
  for (let i = 1; i <= n; i++) {
    const dob = i === bad ? '31/02/1990' : '27/03/1990';
    rows.push(`Picker${i},Ana,Romania,Cluj,Romania,${dob},Female,Romania,R${String(i).padStart(7, '0')},${uk(-300)},${uk(3000)},Cluj,"${i} Strada Mare, Cluj"`);
  }
  return rows.join('\n') + '\n';
}

async function fillBatch(page: Page, reference: string) {
  await page.getByLabel('Batch reference').fill(reference);
  await page.getByLabel('Work start date').fill(uk(30));
  await page.getByLabel('Work end date').fill(uk(200));
  await page.getByLabel('Total weekly working hours').fill('40');
  await page.getByLabel('Pre-stored address (optional)', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('Job title').fill('Fruit picker');
  await page.getByLabel('Occupation code (SOC 2020)').fill('9111');
  await page.getByLabel('Job description').fill('Harvests fruit.');
  await page.getByLabel('Gross annual salary (£)').fill('24000');
  await page.getByLabel('Yes').check();
}

test('a batch by upload: a bad row is shown and nothing saved; fixed, the batch is made and assigned', async ({ page, consoleErrors }, testInfo) => {
  const who = testInfo.project.name === 'phone' ? DEMO.l2 : DEMO.l1;
  const reference = `Orchard ${testInfo.project.name} ${Date.now()}`;
  await signIn(page, who);
  await page.goto('/create-cos');
  await page.getByLabel('Seasonal Worker').check();
  await page.getByRole('button', { name: 'Create a batch of CoS' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create a batch of CoS');
  await checkPage(page);
  await fillBatch(page, reference);
  await page.setInputFiles('#workers', { name: 'workers.csv', mimeType: 'text/csv', buffer: Buffer.from(workersCsv(5, 3)) });
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('heading', { name: 'Problems in the file' })).toBeVisible();
  const problem = page.locator('table tbody tr');
  await expect(problem).toHaveCount(1);
  await expect(problem).toContainText('4');
  await expect(problem).toContainText('Date of birth');
  await expect(page.getByLabel('Batch reference')).toHaveValue(reference);
  await expect(page.getByLabel('Job title')).toHaveValue('Fruit picker');
  await checkPage(page);

  // Fixed and uploaded again (a browser never keeps a chosen file).
  await page.setInputFiles('#workers', { name: 'workers.csv', mimeType: 'text/csv', buffer: Buffer.from(workersCsv(5)) });
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('status').first()).toContainText('The batch has been created with 5 CoS: 5 READY TO GO');
  await expect(page.locator('dl')).toContainText(reference);
  await checkPage(page);
  await page.getByRole('link', { name: 'Assign batch' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Assign batch');
  await expect(page.getByTestId('ready')).toHaveText('5');
  await expect(page.locator('main')).toContainText('£55 each, £275 in all');
  await checkPage(page);
  await page.getByRole('button', { name: 'Assign batch' }).click();
  await expect(page.getByRole('status').first()).toContainText('5 CoS have been assigned.');
  for (const status of await page.locator('table tbody tr td:nth-child(3)').allTextContents()) {
    expect(status).toBe('ASSIGNED');
  }
  expect(consoleErrors).toEqual([]);
});

test('a batch the allocation cannot cover is refused whole', async ({ page, consoleErrors }, testInfo) => {
  test.skip(testInfo.project.name === 'phone', 'one sponsor, one allocation: the desktop run is enough');
  await signIn(page, DEMO.other);
  await page.goto('/create-cos');
  await page.getByLabel('Seasonal Worker').check();
  await page.getByRole('button', { name: 'Create a batch of CoS' }).click();
  await fillBatch(page, `Too many ${Date.now()}`);
  await page.setInputFiles('#workers', { name: 'workers.csv', mimeType: 'text/csv', buffer: Buffer.from(workersCsv(400)) });
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('status').first()).toContainText('The batch has been created with 400 CoS');
  await page.getByRole('link', { name: 'Assign batch' }).click();
  await page.getByRole('button', { name: 'Assign batch' }).click();
  await expect(page.getByRole('alert')).toContainText('There is not enough of your CoS allocation left to assign these 400 CoS.');
  await checkPage(page);
  await page.getByRole('link', { name: 'Back' }).click();
  await expect(page.locator('table tbody tr td:nth-child(3)').first()).toHaveText('READY TO GO');
  expect(consoleErrors).toEqual([]);
});
