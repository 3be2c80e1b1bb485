import { html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LightElement } from './shared';

/**
 * What a confirmation asks: its question, what will happen in words, and the words of the button
 * that does it. A name or URL someone typed goes in as {@link isolated} text, so a right-to-left
 * override in it cannot reorder the rest of the sentence the operator decides on.
 */
export interface Question {
  /** The question, as the dialog's heading and accessible name ("Redeliver all dead letters of Orders?"). */
  title: string | TemplateResult;
  /** Exactly what will happen (how many, to whom), as the dialog's description. */
  body: string | TemplateResult;
  /** The confirming button, naming the action ("Redeliver 12 requests"). */
  confirm: string;
  /** The other button, which changes nothing (default "Cancel"). */
  cancel?: string;
}

let dialogs = 0;

/**
 * Asks before an action that cannot be taken back, in a native modal `<dialog>`: the rest of the
 * page is inert while it is open, Cancel has the focus (Enter on an unread question changes
 * nothing), Escape cancels, and the focus goes back to the control that asked. `ask()` resolves
 * true only for the confirming button.
 */
@customElement('hw-confirm')
export class ConfirmDialog extends LightElement {
  @state() private question: Question | undefined;
  private readonly idPrefix = `confirm-${++dialogs}`;
  private answer: ((yes: boolean) => void) | undefined;
  private opener: HTMLElement | undefined;

  /** Shows `question` and resolves once it is answered: true to go ahead, false for Cancel or Escape. */
  async ask(question: Question): Promise<boolean> {
    this.answer?.(false);
    this.question = question;
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    await this.updateComplete;
    const dialog = this.dialog;
    // Escape closes a dialog without touching returnValue: what the last answer left there must
    // not count as this one's.
    dialog.returnValue = '';
    const answered = new Promise<boolean>((resolve) => (this.answer = resolve));
    if (!dialog.open) dialog.showModal();
    // Cancel, named rather than left to the browser's pick (and no autofocus attribute, which a
    // page reacts to when the closed dialog is first drawn).
    dialog.querySelector<HTMLButtonElement>('button[value="cancel"]')!.focus();
    return answered;
  }

  override disconnectedCallback(): void {
    // The view was left with the question open: nothing is done.
    this.answer?.(false);
    this.answer = undefined;
    super.disconnectedCallback();
  }

  private get dialog(): HTMLDialogElement {
    return this.querySelector('dialog')!;
  }

  private readonly onClose = () => {
    const yes = this.dialog.returnValue === 'confirm';
    this.answer?.(yes);
    this.answer = undefined;
    if (this.opener?.isConnected && !this.opener.matches(':disabled')) this.opener.focus();
  };

  override render() {
    const q = this.question;
    return html`<dialog class="confirm" aria-labelledby="${this.idPrefix}-title" aria-describedby="${this.idPrefix}-body" @close=${this.onClose}>
      <h2 id="${this.idPrefix}-title">${q?.title ?? ''}</h2>
      <p id="${this.idPrefix}-body">${q?.body ?? ''}</p>
      <div class="form-actions">
        <button type="button" value="cancel" @click=${() => this.dialog.close('cancel')}>${q?.cancel ?? 'Cancel'}</button>
        <button type="button" value="confirm" class="primary" @click=${() => this.dialog.close('confirm')}>${q?.confirm ?? ''}</button>
      </div>
    </dialog>`;
  }
}
