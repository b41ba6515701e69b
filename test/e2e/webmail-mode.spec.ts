/**
 * The web-mail mode (docs/rules.md §15) against a real Dovecot on loopback standing in for a mail
 * system Mailwarden does not run: its own passwd-file holds the mailbox's client password, made
 * "on the web mail". SMTP AUTH (smtp-server) asks the same Dovecot with an IMAP login, so one
 * server decides both. The person gives their address, pastes the client password, the app
 * logs in with it, and only then writes it: into a Foxmail profile (the file read back), a
 * Thunderbird profile (logins.json decrypted back with key4.db, by the adapter's own reader) and the
 * system keychain (Secret Service; read back by logging in with what it holds), which says so once
 * the web mail revokes it. A wrong password, and one revoked on the web mail after it was checked,
 * are refused in plain words, and nothing is written: the Foxmail profile keeps its password and
 * the Thunderbird profile's files stay byte for byte as they were, without even a backup.
 */
import { chmod, chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SMTPServer } from 'smtp-server';
import { dovecotSkipReason, imapLogin, nobodyIds, startDovecot, type RunningDovecot } from '../factories/dovecot';
import { readFoxmailPassword, writeFoxmailInstallation, type FixtureAccount } from '../factories/foxmail';
import { freeLoopbackPort } from '../factories/loopback';
import { expect, keyringSkipReason, test } from './fixtures';
import { expectNoAxeViolationsInBothThemes, openSection } from './helpers';
import { accountRow, address, clientCard, loopbackServer, workerDir, writePolicy } from './mail-clients-helpers';
import { recordSecret } from './secret-record';
import { profileIn, savedLogins, writeThunderbirdProfile } from './thunderbird-profile';

const skipReason = dovecotSkipReason();
const work = workerDir('webmail-mode');
const policyFile = join(work, 'policy.json');
const foxmailRoot = join(work, 'Foxmail 7.2');
const passwdFile = join(work, 'dovecot', 'passwd');
const thunderbirdRoot = join(work, 'thunderbird');
const thunderbirdProfile = profileIn(thunderbirdRoot);
// A home of its own: the host looks in ~/.thunderbird too, and must not see whoever runs this.
const home = join(work, 'home');
/** Made on the web mail: mixed case, as such a system may show it; pasted in groups of four. */
const clientPassword = 'AbcdEfgh2345Mnpq';
const pasted = 'Abcd Efgh 2345 Mnpq';
const oldMainPassword = 'Zhang-Wei-old-main-1';
const mine: FixtureAccount = { address, displayName: '张伟', password: oldMainPassword, incomingHost: '127.0.0.1', incomingPort: 993 };

/** The profile folder's files and their bytes: compared before and after to show nothing was written. */
async function thunderbirdFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(thunderbirdProfile)).sort()) files[name] = (await readFile(join(thunderbirdProfile, name))).toString('base64');
  return files;
}

let dovecot: RunningDovecot | undefined;
let smtp: SMTPServer | undefined;

let imapPort = 0;

/**
 * Has Dovecot accept only `password` for the mailbox (rewritten to revoke another), and returns
 * once it does. Dovecot looks at a changed passwd-file at most once a second, so a login in the
 * same second as the rewrite may still be judged by the old file: wait until a login with the new
 * password works (bounded), after which the old one is refused.
 */
async function acceptOnly(password: string): Promise<void> {
  await writeFile(passwdFile, `${address}:{PLAIN}${password}\n`, { mode: 0o644 });
  if (!dovecot) return;
  const deadline = Date.now() + 10_000;
  while (!(await imapLogin(imapPort, address, password)).ok) {
    if (Date.now() > deadline) throw new Error('Dovecot did not take up the new passwd-file within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test.describe(`a mail system whose web mail manages accounts${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  test.skip(skipReason !== '', skipReason);
  test.use({
    locale: 'en-US',
    hostArgs: ['--policy', policyFile, '--foxmail-root', foxmailRoot, '--thunderbird-root', thunderbirdRoot],
    hostEnv: { HOME: home },
    permissions: ['clipboard-read', 'clipboard-write'],
  });

  test.beforeAll(async () => {
    recordSecret('client-password', clientPassword);
    recordSecret('password', oldMainPassword);
    const dovecotWork = join(work, 'dovecot');
    await rm(dovecotWork, { recursive: true, force: true });
    await mkdir(dovecotWork, { recursive: true });
    // Dovecot's auth process (nobody) reads the passwd-file; its mail processes own the maildirs.
    await chmod(work, 0o755);
    await chmod(dovecotWork, 0o755);
    await acceptOnly(clientPassword);
    const mail = join(dovecotWork, 'mail');
    await mkdir(mail);
    const nobody = nobodyIds();
    await chown(mail, nobody.uid, nobody.gid);
    imapPort = await freeLoopbackPort();
    dovecot = await startDovecot({ work: dovecotWork, imapPort, mail, passwdFile });
    smtp = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 500,
      // The mail system's SMTP asks its own IMAP server's user database, as Postfix with Dovecot SASL does.
      onAuth(auth, _session, callback) {
        imapLogin(imapPort, auth.username ?? '', auth.password ?? '').then(
          (login) => (login.ok ? callback(null, { user: auth.username }) : callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }))),
          () => callback(Object.assign(new Error('Temporary authentication failure'), { responseCode: 454 })),
        );
      },
    });
    smtp.on('error', () => undefined);
    await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as { port: number }).port;
    writePolicy(policyFile, { accounts: { managedBy: 'webmail' }, mailServer: loopbackServer({ imap: imapPort, smtp: smtpPort }) });
  });

  test.afterAll(async () => {
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await dovecot?.stop();
  });

  test.beforeEach(async () => {
    await acceptOnly(clientPassword);
    await rm(foxmailRoot, { recursive: true, force: true });
    await writeFoxmailInstallation(foxmailRoot, [mine]);
    await mkdir(home, { recursive: true });
    // This mailbox's IMAP account (its SMTP server has a user name) saving the old main password.
    await writeThunderbirdProfile(thunderbirdRoot, address, [{ origin: 'imap://mail.cstnet.cn', username: address, password: oldMainPassword }]);
  });

  /** The guide's first screen: which mailbox this computer works for. */
  async function giveAddress(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await expect(page.getByRole('heading', { level: 1, name: 'Which mailbox is this for?' })).toBeVisible();
    await page.getByLabel('Your mail address').fill(address);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    await expect(page.getByText(`For ${address}`)).toBeVisible();
  }

  async function paste(page: Page, name: string, password: string): Promise<void> {
    await openSection(page, 'Client passwords');
    await page.getByLabel('Where it goes').fill(name);
    await page.getByLabel('Client password (16 characters)').fill(password);
    await page.getByRole('button', { name: 'Check with the mail server' }).click();
  }

  async function putIntoFoxmail(page: Page, name: string): Promise<void> {
    await accountRow(page, 'Foxmail', address)
      .getByRole('button', { name: `Put “${name}” into the Foxmail account ${address}` })
      .click();
    await page.getByRole('dialog', { name: 'Write the password into this Foxmail account?' }).getByRole('button', { name: 'Write' }).click();
  }

  async function putIntoThunderbird(page: Page, name: string): Promise<void> {
    await accountRow(page, 'Thunderbird', address)
      .getByRole('button', { name: `Put “${name}” into the Thunderbird account ${address}` })
      .click();
    await page.getByRole('dialog', { name: 'Save the password in this Thunderbird account?' }).getByRole('button', { name: 'Save' }).click();
  }

  test.describe('with a system keychain', () => {
    test.skip(keyringSkipReason !== '', keyringSkipReason);
    test.use({ keyring: true });

    test('a pasted client password the server accepts is checked, then written into Foxmail, Thunderbird and the keychain', async ({ page, app }) => {
      await giveAddress(page, app.url);
      // Mailwarden's own accounts are not here: the guide says where they are.
      await openSection(page, 'Two-factor authentication');
      await expect(page.getByRole('link', { name: 'Open the web mail' })).toHaveAttribute('href', 'https://mail.cstnet.cn/');
      await expectNoAxeViolationsInBothThemes(page);

      await paste(page, 'Office computer', pasted);
      await expect(page.getByTestId('wm-cp-verdict')).toHaveText('The mail server accepted it for IMAP, POP3, SMTP.');
      await expectNoAxeViolationsInBothThemes(page);
      await page.getByRole('link', { name: 'Put it into mail clients' }).click();
      await expect(page.getByTestId('held-password')).toHaveText(pasted);

      await putIntoFoxmail(page, 'Office computer');
      await expect(clientCard(page, 'Foxmail').getByRole('status')).toContainText('The original profile was backed up to');
      expect(await readFoxmailPassword(foxmailRoot, address)).toBe(clientPassword);

      await putIntoThunderbird(page, 'Office computer');
      await expect(clientCard(page, 'Thunderbird').getByRole('status')).toContainText('The saved passwords were backed up to');
      // Read back as Thunderbird would: the incoming login replaced, the SMTP login (its server has a user name) added.
      const saved = await savedLogins(thunderbirdProfile);
      expect(saved).toContainEqual({ origin: 'imap://mail.cstnet.cn', username: address, password: clientPassword });
      expect(saved).toContainEqual({ origin: 'smtp://mail.cstnet.cn', username: address, password: clientPassword });
      expect(saved).toHaveLength(2);

      await page.getByRole('button', { name: 'Remember in the system keychain' }).click();
      await expect(page.getByText('“Office computer” was saved in the system keychain.')).toBeVisible();
      // What the keychain holds logs in: read back through the mail server itself.
      await page.reload();
      const card = page.getByRole('region', { name: 'Test connection', exact: true });
      await card.getByRole('radio', { name: 'A password remembered in the system keychain' }).check();
      await expect(card.getByLabel('Password in the keychain')).toHaveValue('Office computer');
      await card.getByRole('button', { name: 'Test connection' }).click();
      await expect(card.getByTestId('test-imap')).toContainText('Logged in: this password works.');
      await expect(card.getByTestId('test-smtp')).toContainText('Logged in: this password works.');
      await expect(card.getByTestId('keychain-stale')).toHaveCount(0);

      // Deleted on the web mail later: the remembered password stops working, and the page says so and offers the fix.
      await acceptOnly('SomethingElse2345');
      await card.getByRole('button', { name: 'Test connection' }).click();
      await expect(card.getByTestId('test-imap')).toContainText('The server refused the user name or password.');
      const stale = card.getByTestId('keychain-stale');
      await expect(stale).toContainText('“Office computer” in the system keychain no longer works');
      await expect(stale.getByRole('link', { name: 'Get a new client password' })).toHaveAttribute('href', '#/client-passwords');
      await stale.getByRole('button', { name: 'Delete this keychain entry' }).click();
      await expect(card.getByRole('status').filter({ hasText: 'Office computer' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'System keychain', exact: true })).not.toContainText('Office computer');
    });
  });

  test('two-factor is seen to go on when the main password that logged in is refused', async ({ page, app }) => {
    // Before two-factor, the mail server takes the main password.
    await acceptOnly(oldMainPassword);
    await giveAddress(page, app.url);
    await expect(page.getByTestId('wm-step-two-factor')).toHaveText('Not checked yet.');
    await openSection(page, 'Two-factor authentication');
    await page.getByLabel('Main mailbox password').fill(oldMainPassword);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.getByTestId('wm-tf-verdict')).toHaveText('Your main password still logs in to the mail server: two-factor is not on yet.');
    // The check keeps no password: the field is empty again.
    await expect(page.getByLabel('Main mailbox password')).toHaveValue('');

    // Turned on at the web mail: only client passwords log in now.
    await acceptOnly(clientPassword);
    await page.getByLabel('Main mailbox password').fill(oldMainPassword);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.getByTestId('wm-tf-verdict')).toHaveText(/two-factor is on/);
    await page.getByRole('link', { name: 'Make client passwords' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Client passwords' })).toBeVisible();
    await openSection(page, 'Overview');
    await expect(page.getByTestId('wm-step-two-factor')).toHaveText('On: a login with your main password is now refused.');
  });

  test('a wrong client password is refused in plain words, and nothing is written', async ({ page, app }) => {
    const before = await thunderbirdFiles();
    await giveAddress(page, app.url);
    await paste(page, 'Foxmail at the office', 'Abcd Efgh 2345 Mnpz');
    await expect(page.getByRole('alert')).toHaveText(/The mail server did not accept this client password\..*Nothing was written anywhere\./);
    await expect(page.getByRole('link', { name: 'Put it into mail clients' })).toHaveCount(0);
    // Not a client password at all (the main password, say): refused before any login.
    await page.getByLabel('Client password (16 characters)').fill(oldMainPassword);
    await page.getByRole('button', { name: 'Check with the mail server' }).click();
    await expect(page.getByRole('alert')).toHaveText(/A client password is 16 letters or digits/);
    expect(await readFoxmailPassword(foxmailRoot, address)).toBe(oldMainPassword);
    expect(await thunderbirdFiles()).toEqual(before);
  });

  test('a client password revoked on the web mail after it was checked is refused when it is put in, and Foxmail and Thunderbird keep their files', async ({
    page,
    app,
  }) => {
    const before = await thunderbirdFiles();
    await giveAddress(page, app.url);
    await paste(page, 'Foxmail at the office', pasted);
    await expect(page.getByTestId('wm-cp-verdict')).toBeVisible();
    await page.getByRole('link', { name: 'Put it into mail clients' }).click();
    await expect(page.getByTestId('held-password')).toBeVisible();
    // Deleted on the web mail meanwhile: the mail server no longer takes it.
    await acceptOnly('SomethingElse2345');
    await putIntoFoxmail(page, 'Foxmail at the office');
    await expect(page.getByRole('alert').filter({ hasText: 'did not accept this client password' })).toBeVisible();
    expect(await readFoxmailPassword(foxmailRoot, address)).toBe(oldMainPassword);

    await putIntoThunderbird(page, 'Foxmail at the office');
    await expect(clientCard(page, 'Thunderbird').getByRole('alert')).toContainText('did not accept this client password');
    // Byte for byte as before, and no backup made: the write was never attempted.
    expect(await thunderbirdFiles()).toEqual(before);
    expect((await savedLogins(thunderbirdProfile)).map((l) => l.password)).toEqual([oldMainPassword]);
  });
});
