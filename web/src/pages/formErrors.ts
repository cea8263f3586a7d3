import type { FormInstance } from 'antd';
import { ApiError } from '../api/http';

/** Puts a 400's field errors next to their fields; returns whether it did. */
export function showFieldErrors(form: FormInstance, error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  const fields = Object.entries(error.fields).map(([name, message]) => ({ name, errors: [message] }));
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
