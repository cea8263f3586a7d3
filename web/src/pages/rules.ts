// Field rules mirroring the server's (docs/API.md): the form says what the server would.
import type { Rule } from 'antd/es/form';

export const usernameRules: Rule[] = [
  { required: true, message: 'Choose a username' },
  { pattern: /^[A-Za-z0-9_.-]{3,32}$/, message: "3–32 letters, digits, '_', '.' or '-'" },
];

export const nickNameRules: Rule[] = [
  { required: true, whitespace: true, message: 'Enter a nickname' },
  { max: 50, message: 'At most 50 characters' },
];

/** What the server checks (6–72 bytes, bcrypt's limit), said in characters as people count. */
export function passwordProblem(value: string): string | null {
  const bytes = new TextEncoder().encode(value).length;
  if ([...value].length < 6 || bytes < 6) return '6–72 characters';
  if (bytes > 72) {
    return [...value].length > 72 ? '6–72 characters' : 'Too long: accented and non-Latin letters count more than once; 72 at most';
  }
  return null;
}

export const passwordRules: Rule[] = [
  { required: true, message: 'Enter a password' },
  {
    validator: (_, value: string | undefined) => {
      const problem = value ? passwordProblem(value) : null;
      return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
    },
  },
];

export const emailRules: Rule[] = [
  { required: true, message: 'Enter your e-mail address' },
  { type: 'email', message: 'Not a valid e-mail address' },
  { max: 254, message: 'At most 254 characters' },
];

export const captchaRules: Rule[] = [
  { required: true, message: 'Enter the code from the e-mail' },
  { pattern: /^\d{6}$/, message: 'The 6-digit code from the e-mail' },
];
