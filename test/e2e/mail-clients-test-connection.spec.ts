/**
 * "Test connection" (docs/rules.md §8) against real servers on loopback, started here: smtp-server and
 * a small IMAP responder on node:net, both without TLS, named to the host by a --policy
 * mailServer. Each outcome a person can meet here is told in its own plain words, with the
 * endpoint tested and the raw detail behind a disclosure: a working client password, a wrong
 * password, the mailbox password once 2FA is on, and a server where nothing listens.
 */
import net from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SMTPServer } from 'smtp-server';
import { freeLoopbackPort, listenOnLoopback, serveImap, type ImapScript } from '../factories/loopback';
import { testPassword } from './backend';
import { expect, keyringSkipReason, test } from './fixtures';
import { expectNoAxeViolationsInBothThemes, openSection } from './helpers';
import { address, holdNewPassword, loopbackServer, signedInWithTwoFactor, workerDir, writePolicy } from './mail-clients-helpers';

const dir = workerDir('mc-test-connection');
const policyFile = join(dir, 'policy.json');
const closedPolicyFile = join(dir, 'policy-closed.json');
/** The one password both servers accept for `address`; each test sets it. */
let accepted = '';
const ports = { imap: 0, smtp: 0, closed: 0 };
const closers: (() => Promise<void>)[] = [];

/** Refuses all but `address` with the `accepted` password. */
const imapScript: ImapScript = {
  capabilities: () => ['IMAP4rev1'],
  login: (user, password) =>
    user === address && accepted !== '' && password === accepted ? 'OK LOGIN completed' : 'NO [AUTHENTICATIONFAILED] Invalid credentials (loopback)',
  otherwise: 'OK done',
};

async function listen(server: net.Server): Promise<number> {
  const { port, close } = await listenOnLoopback(server);
  closers.push(close);
  return port;
}

test.beforeAll(async () => {
  ports.imap = await listen(net.createServer((socket) => serveImap(socket, imapScript)));
  const smtp = new SMTPServer({
    logger: false,
    closeTimeout: 500,
    disabledCommands: ['STARTTLS'],
    // Loopback without TLS, as the policy says ('none'): AUTH is allowed in the clear here.
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === address && accepted !== '' && auth.password === accepted) callback(null, { user: address });
      else callback(new Error('Invalid username or password (loopback)'));
    },
  });
  smtp.on('error', () => undefined);
  ports.smtp = await listen(smtp.server);
  ports.closed = await freeLoopbackPort();

  writePolicy(policyFile, { mailServer: loopbackServer({ imap: ports.imap, smtp: ports.smtp }) });
  writePolicy(closedPolicyFile, { mailServer: loopbackServer({ imap: ports.closed, smtp: ports.closed }) });
});

test.afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

function testCard(page: Page) {
  return page.getByRole('region', { name: '测试连接', exact: true });
}

/** The result block of one protocol: its plain words, the endpoint, the disclosure. */
function outcome(page: Page, protocol: 'imap' | 'smtp') {
  return testCard(page).getByTestId(`test-${protocol}`);
}

test.describe('against the loopback servers', () => {
  test.use({ hostArgs: ['--policy', policyFile] });

  test('the client password just generated logs in to both servers', async ({ page, app }) => {
    await signedInWithTwoFactor(page, app);
    accepted = await holdNewPassword(page, 'Thunderbird');
    const card = testCard(page);
    await expect(card.getByRole('radio', { name: '刚生成的「Thunderbird」' })).toBeChecked();
    await card.getByRole('button', { name: '测试连接' }).click();

    await expect(card.getByRole('heading', { name: '测试结果' })).toBeFocused();
    await expect(outcome(page, 'imap')).toContainText('收件服务器（IMAP）');
    await expect(outcome(page, 'imap')).toContainText(`127.0.0.1:${ports.imap}，不加密`);
    await expect(outcome(page, 'imap')).toContainText('登录成功，这个密码可以使用。');
    await expect(outcome(page, 'smtp')).toContainText('发件服务器（SMTP）');
    await expect(outcome(page, 'smtp')).toContainText(`127.0.0.1:${ports.smtp}，不加密`);
    await expect(outcome(page, 'smtp')).toContainText('登录成功，这个密码可以使用。');
  });

  test('a wrong password is refused in plain words, the raw detail behind a disclosure', async ({ page, app }) => {
    accepted = 'abcdefghijkmnpqr';
    await signedInWithTwoFactor(page, app);
    await openSection(page, '邮件客户端');
    const card = testCard(page);
    // Nothing held, nothing remembered: a password is typed.
    await expect(card.getByRole('radio')).toHaveCount(0);
    const run = card.getByRole('button', { name: '测试连接' });
    await expect(run).toBeDisabled();
    await card.getByLabel('密码', { exact: true }).fill('Not-the-password-1');
    await run.click();

    for (const protocol of ['imap', 'smtp'] as const) {
      const block = outcome(page, protocol);
      await expect(block).toContainText('服务器拒绝了用户名或密码。请确认用户名是完整的邮箱地址，密码是有效的客户端专用密码。');
      const detail = block.locator('details');
      await expect(detail.locator('pre')).toBeHidden();
      await detail.getByText('技术细节').click();
      await expect(detail.locator('pre')).toBeVisible();
      await expect(detail.locator('pre')).not.toContainText('Not-the-password-1');
    }
    await expect(outcome(page, 'imap').locator('pre')).toContainText('Invalid credentials');
    await expectNoAxeViolationsInBothThemes(page);
  });

  test('the mailbox password, once 2FA is on, says a client password is needed', async ({ page, app }) => {
    accepted = 'abcdefghijkmnpqr';
    await signedInWithTwoFactor(page, app);
    await openSection(page, '邮件客户端');
    const card = testCard(page);
    await card.getByLabel('密码', { exact: true }).fill(testPassword);
    await card.getByRole('button', { name: '测试连接' }).click();

    for (const protocol of ['imap', 'smtp'] as const) {
      const block = outcome(page, protocol);
      await expect(block).toContainText('这是您的邮箱密码。开启二次验证后，邮箱密码不能再用于邮件客户端，需要改用客户端专用密码。');
      await expect(block.getByRole('link', { name: '生成客户端专用密码' })).toHaveAttribute('href', '#/client-passwords');
    }
    await outcome(page, 'imap').getByRole('link', { name: '生成客户端专用密码' }).click();
    await expect(page).toHaveURL(/#\/client-passwords$/);
  });
});

test.describe('with a system keychain', () => {
  test.skip(keyringSkipReason !== '', keyringSkipReason);
  test.use({ hostArgs: ['--policy', policyFile], keyring: true });

  test('a password remembered in the keychain can be tested without typing it', async ({ page, app }) => {
    await signedInWithTwoFactor(page, app);
    accepted = await holdNewPassword(page, 'Foxmail 办公室');
    await page.getByRole('button', { name: '记住在系统钥匙串中' }).click();
    await expect(page.getByText('已将「Foxmail 办公室」保存到系统钥匙串。')).toBeVisible();
    // A fresh page: the password is no longer held, only remembered.
    await page.reload();
    const card = testCard(page);
    await card.getByRole('radio', { name: '系统钥匙串中保存的密码' }).check();
    await expect(card.getByLabel('钥匙串中的密码')).toHaveValue('Foxmail 办公室');
    await card.getByRole('button', { name: '测试连接' }).click();
    await expect(outcome(page, 'imap')).toContainText('登录成功，这个密码可以使用。');
    await expect(outcome(page, 'smtp')).toContainText('登录成功，这个密码可以使用。');
  });
});

test.describe('with nothing listening on the ports', () => {
  test.use({ hostArgs: ['--policy', closedPolicyFile] });

  test('the server cannot be reached, said plainly for both', async ({ page, app }) => {
    await signedInWithTwoFactor(page, app);
    await openSection(page, '邮件客户端');
    const card = testCard(page);
    await card.getByLabel('密码', { exact: true }).fill('abcdefghijkmnpqr');
    await card.getByRole('button', { name: '测试连接' }).click();
    for (const protocol of ['imap', 'smtp'] as const) {
      await expect(outcome(page, protocol)).toContainText('无法连接到服务器：服务器没有响应，或网络拒绝了连接。');
      await expect(outcome(page, protocol)).toContainText(`127.0.0.1:${ports.closed}，不加密`);
    }
  });
});
