// Field rules mirroring the server's (docs/API.md): the form says what the server would.
import type { Rule } from 'antd/es/form';

export const usernameRules: Rule[] = [
  { required: true, message: 'Choose a username' },
  { pattern: /^[A-Za-z0-9_.-]{3,32}$/, message: "3-32 letters, digits, '_', '.' or '-'" },
];

export const nickNameRules: Rule[] = [
  { required: true, whitespace: true, message: 'Enter a nickname' },
  { max: 50, message: 'At most 50 characters' },
];

export const passwordRules: Rule[] = [
  { required: true, message: 'Enter a password' },
  {
    validator: (_, value: string | undefined) =>
      !value || (new TextEncoder().encode(value).length >= 6 && new TextEncoder().encode(value).length <= 72)
        ? Promise.resolve()
        : Promise.reject(new Error('6-72 bytes')),
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
