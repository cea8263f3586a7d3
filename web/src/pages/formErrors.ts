import type { FormInstance } from 'antd';
import { ApiError } from '../api/http';

/** The field an error code is about, when the answer names no field itself (docs/errors.md). */
const CODE_FIELDS: Record<string, string> = {
  username_taken: 'username',
  email_taken: 'email',
  account_mismatch: 'email',
  captcha_invalid: 'captcha',
  captcha_too_soon: 'captcha',
};

/** The form's fields an error belongs to: its field errors, or the one its code is about. */
export function fieldErrors(error: unknown, present: (name: string) => boolean): { name: string; errors: string[] }[] {
  if (!(error instanceof ApiError)) return [];
  const fields = Object.entries(error.fields)
    .filter(([name]) => present(name))
    .map(([name, message]) => ({ name, errors: [message] }));
  const byCode = CODE_FIELDS[error.code];
  if (fields.length === 0 && byCode && present(byCode)) fields.push({ name: byCode, errors: [error.message] });
  return fields;
}

/** Puts an error next to the fields it is about; returns whether it did. */
export function showFieldErrors(form: FormInstance, error: unknown): boolean {
  const fields = fieldErrors(error, (name) => form.getFieldInstance(name) !== undefined || name in form.getFieldsValue(true));
  if (fields.length === 0) return false;
  form.setFields(fields);
  return true;
}

/**
 * Runs a form's request with its busy flag. A refusal is shown on the form: field errors beside
 * their fields, anything else (a wrong code, say) under `fallbackField`.
 */
export async function submitForm(
  form: FormInstance,
  setBusy: (busy: boolean) => void,
  work: () => Promise<void>,
  fallbackField = 'captcha',
): Promise<void> {
  setBusy(true);
  try {
    await work();
  } catch (error) {
    if (!showFieldErrors(form, error) && error instanceof Error) {
      form.setFields([{ name: fallbackField, errors: [error.message] }]);
    }
  } finally {
    setBusy(false);
  }
}
