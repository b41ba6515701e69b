/**
 * After a new mailbox password revoked the client passwords (docs/rules.md §6.7): the ones to
 * replace, each with the clients it had been put into, kept while the window is open so the person
 * can replace them one at a time, going to the mail-clients page and back. Names only: never a
 * password. Memory only: gone with the window, like the change's own message.
 */
interface Replacement {
  readonly name: string;
  /** "Foxmail 办公室 (Foxmail, system keychain)", as the card said before the change. */
  readonly label: string;
  /** A new client password was made for it and handed to the mail-clients page. */
  replaced: boolean;
}

class Replacements {
  #list = $state<Replacement[]>([]);
  /** Whose they are: another mailbox signed in to this window later never sees them. */
  #mailbox = $state<string | null>(null);

  start(mailbox: string, items: readonly { name: string; label: string }[]): void {
    this.#mailbox = mailbox;
    this.#list = items.map((item) => ({ ...item, replaced: false }));
  }

  /** The list for this mailbox (empty for any other). */
  for(mailbox: string | null): Replacement[] {
    return mailbox !== null && mailbox === this.#mailbox ? this.#list : [];
  }

  markReplaced(name: string): void {
    const item = this.#list.find((entry) => entry.name === name);
    if (item) item.replaced = true;
  }
}

export const replacements = new Replacements();
