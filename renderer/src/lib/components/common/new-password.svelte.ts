/**
 * A new password typed twice, as registering and changing the password ask for it: the two
 * values, and whether they differ. The difference is pointed out once the confirmation has been
 * left, not at every keystroke (NewPasswordFields sets `confirmationLeft`).
 */
export class NewPassword {
  password = $state('');
  confirmation = $state('');
  confirmationLeft = $state(false);

  readonly mismatch = $derived(this.confirmationLeft && this.confirmation !== '' && this.confirmation !== this.password);
  /** Both typed and not known to differ: what a submit button waits for. */
  readonly ready = $derived(this.password !== '' && this.confirmation !== '' && !this.mismatch);

  /** After a submit the backend took: both fields empty, the confirmation not yet left. */
  clear(): void {
    this.password = '';
    this.confirmation = '';
    this.confirmationLeft = false;
  }
}
