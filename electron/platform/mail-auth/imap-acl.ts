/**
 * Grants applied on the mail server through its standard interface, IMAP ACL (RFC 4314): log in
 * to Dovecot as the owner through a master user (`owner*mailwarden-acl`, Dovecot's master-user
 * login), then `SETACL INBOX grantee rights`, or `DELETEACL INBOX grantee` when none are wanted.
 * Dovecot writes its own ACL file and its shared-mailbox dictionary, so the mailbox appears under
 * the grantee's shared namespace at once; with `acl_defaults_from_inbox = yes` the owner's other
 * folders follow INBOX. Why IMAP rather than writing Dovecot's files: it works against a mail
 * server on another machine, needs no access to its storage, and Dovecot keeps its dictionary
 * consistent itself (resources/dovecot/README.md has the configuration).
 *
 * imapflow speaks the connection, TLS and login; SETACL and DELETEACL go through its generic
 * command path (`exec`), as it has no ACL helpers. Each change is one short connection: grants
 * change a few times a day, so nothing is kept open.
 */
import { ImapFlow } from 'imapflow';
import { MailAclError, type MailAclApplier } from '../../core/mail-acl';

export interface ImapAclOptions {
  readonly host: string;
  readonly port: number;
  /** imaps (TLS from the start), or plain IMAP upgraded with STARTTLS unless it is loopback. */
  readonly secure: boolean;
  readonly masterUser: string;
  readonly masterPassword: string;
  /** Dovecot's auth_master_user_separator. */
  readonly separator?: string;
  readonly timeoutMs?: number;
}

const rightsPattern = /^[lrswipkxtea]*$/;

/** imapflow's generic command path: present in its build, left out of its typings as internal. */
interface ImapCommands {
  exec(command: string, attributes: readonly { readonly type: 'STRING'; readonly value: string }[]): Promise<unknown>;
}

export class ImapAclApplier implements MailAclApplier {
  constructor(private readonly options: ImapAclOptions) {}

  async apply(owner: string, grantee: string, rights: string): Promise<void> {
    if (!rightsPattern.test(rights)) throw new MailAclError(`not IMAP rights: ${rights}`);
    const loopback = ['127.0.0.1', 'localhost', '::1'].includes(this.options.host);
    const client = new ImapFlow({
      host: this.options.host,
      port: this.options.port,
      secure: this.options.secure,
      doSTARTTLS: this.options.secure ? undefined : loopback ? false : true,
      auth: { user: `${owner}${this.options.separator ?? '*'}${this.options.masterUser}`, pass: this.options.masterPassword },
      logger: false,
      connectionTimeout: this.options.timeoutMs ?? 10_000,
      greetingTimeout: this.options.timeoutMs ?? 10_000,
      socketTimeout: this.options.timeoutMs ?? 10_000,
      disableAutoIdle: true,
    });
    // A dropped connection is reported by the command that was waiting on it.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (cause) {
      throw new MailAclError(`cannot log in to the mail server as the ACL master user for ${owner}: ${describe(cause)}`, { cause });
    }
    try {
      const commands = client as unknown as ImapCommands;
      if (typeof commands.exec !== 'function') throw new Error('this imapflow version has no generic command path');
      const mailbox = { type: 'STRING', value: 'INBOX' } as const;
      const identifier = { type: 'STRING', value: grantee } as const;
      if (rights === '') await commands.exec('DELETEACL', [mailbox, identifier]);
      else await commands.exec('SETACL', [mailbox, identifier, { type: 'STRING', value: rights }]);
    } catch (cause) {
      throw new MailAclError(`the mail server refused the ACL of ${grantee} on ${owner}: ${describe(cause)}`, { cause });
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}

function describe(cause: unknown): string {
  if (typeof cause === 'object' && cause !== null) {
    const withText = cause as { responseText?: unknown; message?: unknown; code?: unknown };
    if (typeof withText.responseText === 'string' && withText.responseText) return withText.responseText;
    if (typeof withText.code === 'string' && withText.code) return `${withText.code}${typeof withText.message === 'string' ? `: ${withText.message}` : ''}`;
    if (typeof withText.message === 'string') return withText.message;
  }
  return String(cause);
}
