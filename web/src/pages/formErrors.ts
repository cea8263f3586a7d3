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
