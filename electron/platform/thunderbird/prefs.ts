/**
 * A profile's prefs.js and the mail accounts it describes. prefs.js is what Thunderbird writes:
 * `user_pref("name", value);` lines after a comment header. The grammar accepted is that of
 * Mozilla's pref parser (modules/libpref/parser): `pref`, `user_pref` and `sticky_pref`
 * statements; strings in double or single quotes with the escapes \" \' \\ \n \r \xHH \uHHHH;
 * integers; true/false; comments `//…`, `/*…*\/` and `#…`. Anything else makes the whole file
 * "not understood" (null): the profile is then listed as unreadable, never half-read.
 *
 * Account prefs (Thunderbird's mailnews code; also the autoconfig and account-wizard docs):
 * `mail.accountmanager.accounts` = "account1,account2"; `mail.account.accountN.server` = serverKey,
 * `.identities` = "id1,id2"; `mail.server.<key>.type` (imap, pop3, none, rss, nntp, ews…),
 * `.hostname`, `.userName`, `.port`, `.socketType` (nsMsgSocketType: 0 plain, 1 trySTARTTLS,
 * 2 alwaysSTARTTLS, 3 SSL/TLS), `.realhostname` / `.realuserName` (what is connected to after a
 * rename); identities `mail.identity.<id>.useremail`, `.fullName`, `.smtpServer` (else
 * `mail.smtp.defaultserver`); outgoing servers `mail.smtpserver.<key>.hostname`, `.port`,
 * `.username`, `.try_ssl` (same numbers as socketType), `.type` ("ews" ones are not SMTP).
 */

export type PrefValue = string | number | boolean;

class Reader {
  at = 0;
  constructor(readonly text: string) {}

  skip(): void {
    for (;;) {
      const rest = this.text.slice(this.at, this.at + 2);
      const c = this.text[this.at];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\uFEFF') this.at++;
      else if (rest === '//' || c === '#') {
        const end = this.text.indexOf('\n', this.at);
        this.at = end < 0 ? this.text.length : end + 1;
      } else if (rest === '/*') {
        const end = this.text.indexOf('*/', this.at + 2);
        if (end < 0) throw new Error('unterminated comment');
        this.at = end + 2;
      } else return;
    }
  }

  expect(token: string): void {
    this.skip();
    if (!this.text.startsWith(token, this.at)) throw new Error('unexpected text');
    this.at += token.length;
  }

  word(): string {
    this.skip();
    const match = /^[A-Za-z_]+/.exec(this.text.slice(this.at, this.at + 32));
    if (!match) throw new Error('expected a word');
    this.at += match[0].length;
    return match[0];
  }

  string(): string {
    this.skip();
    const quote = this.text[this.at];
    if (quote !== '"' && quote !== "'") throw new Error('expected a string');
    this.at++;
    let out = '';
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) throw new Error('unterminated string');
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.at++];
      if (e === '"' || e === "'" || e === '\\') out += e;
      else if (e === 'n') out += '\n';
      else if (e === 'r') out += '\r';
      else if (e === 'x' || e === 'u') {
        const size = e === 'x' ? 2 : 4;
        const hex = this.text.slice(this.at, this.at + size);
        if (!new RegExp(`^[0-9A-Fa-f]{${size}}$`).test(hex)) throw new Error('bad escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += size;
      } else throw new Error('unknown escape');
    }
  }

  value(): PrefValue {
    this.skip();
    const c = this.text[this.at];
    if (c === '"' || c === "'") return this.string();
    const match = /^[+-]?\d+/.exec(this.text.slice(this.at, this.at + 16));
    if (match) {
      const n = Number(match[0]);
      if (!Number.isSafeInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new Error('integer out of range');
      this.at += match[0].length;
      return n;
    }
    const word = this.word();
    if (word === 'true') return true;
    if (word === 'false') return false;
    throw new Error('unknown value');
  }
}

/** Every pref set in the file (the last setting of a name wins), or null when any of it is not understood. */
export function parsePrefs(text: string): Map<string, PrefValue> | null {
  const prefs = new Map<string, PrefValue>();
  const reader = new Reader(text);
  try {
    for (;;) {
      reader.skip();
      if (reader.at >= text.length) return prefs;
      const kind = reader.word();
      if (kind !== 'user_pref' && kind !== 'pref' && kind !== 'sticky_pref') return null;
      reader.expect('(');
      const name = reader.string();
      reader.expect(',');
      const value = reader.value();
      reader.skip();
      // Attributes after the value (`, sticky`, `, locked`) are for default-pref files.
      while (text[reader.at] === ',') {
        reader.at++;
        const attribute = reader.word();
        if (attribute !== 'sticky' && attribute !== 'locked') return null;
        reader.skip();
      }
      reader.expect(')');
      reader.expect(';');
      prefs.set(name, value);
    }
  } catch {
    return null;
  }
}

type Security = 'tls' | 'starttls' | 'none';

interface ServerEndpoint {
  readonly host: string;
  readonly port: number;
  readonly security: Security;
}

export interface PrefsAccount {
  readonly accountKey: string;
  readonly serverKey: string;
  readonly protocol: 'imap' | 'pop3';
  readonly address: string | null;
  readonly fullName: string | null;
  readonly name: string | null;
  /** `hostname` and `userName`: what the login manager keys the password on. */
  readonly hostname: string | null;
  readonly userName: string | null;
  readonly incoming: ServerEndpoint;
  readonly outgoing: (ServerEndpoint & { readonly serverKey: string; readonly username: string | null }) | null;
}

function security(value: PrefValue | undefined): Security {
  if (value === 3) return 'tls';
  if (value === 1 || value === 2) return 'starttls';
  return 'none';
}

function list(value: PrefValue | undefined): string[] {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : [];
}

/** Default ports when the pref is absent (Thunderbird's protocol defaults: IMAP 143/993, POP3 110/995, SMTP 587/465). */
const defaultPorts = { imap: [143, 993], pop3: [110, 995], smtp: [587, 465] } as const;

function port(value: PrefValue | undefined, protocol: keyof typeof defaultPorts, sec: Security): number {
  if (typeof value === 'number' && value > 0 && value < 65536) return value;
  return defaultPorts[protocol][sec === 'tls' ? 1 : 0];
}

/** The IMAP and POP3 accounts of a profile, in the account manager's order. */
export function accountsOf(prefs: ReadonlyMap<string, PrefValue>): PrefsAccount[] {
  const text = (name: string): string | null => {
    const value = prefs.get(name);
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const accounts: PrefsAccount[] = [];
  for (const accountKey of list(prefs.get('mail.accountmanager.accounts'))) {
    const serverKey = text(`mail.account.${accountKey}.server`);
    if (!serverKey) continue;
    const s = `mail.server.${serverKey}.`;
    const type = text(`${s}type`);
    if (type !== 'imap' && type !== 'pop3') continue;
    const incomingSecurity = security(prefs.get(`${s}socketType`));
    const identity = list(prefs.get(`mail.account.${accountKey}.identities`))[0] ?? null;
    const smtpKey = (identity && text(`mail.identity.${identity}.smtpServer`)) ?? text('mail.smtp.defaultserver');
    let outgoing: PrefsAccount['outgoing'] = null;
    if (smtpKey && list(prefs.get('mail.smtpservers')).includes(smtpKey)) {
      const o = `mail.smtpserver.${smtpKey}.`;
      const host = text(`${o}hostname`);
      const kind = text(`${o}type`);
      if (host && (kind === null || kind === 'smtp')) {
        const sec = security(prefs.get(`${o}try_ssl`));
        outgoing = { serverKey: smtpKey, host, port: port(prefs.get(`${o}port`), 'smtp', sec), security: sec, username: text(`${o}username`) };
      }
    }
    const hostname = text(`${s}hostname`);
    const userName = text(`${s}userName`);
    accounts.push({
      accountKey,
      serverKey,
      protocol: type,
      address: identity ? text(`mail.identity.${identity}.useremail`) : null,
      fullName: identity ? text(`mail.identity.${identity}.fullName`) : null,
      name: text(`${s}name`),
      hostname,
      userName,
      incoming: { host: text(`${s}realhostname`) ?? hostname ?? '', port: port(prefs.get(`${s}port`), type, incomingSecurity), security: incomingSecurity },
      outgoing,
    });
  }
  return accounts;
}
