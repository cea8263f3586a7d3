import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { fieldErrors } from './formErrors';
import { passwordProblem } from './rules';

const registerFields = new Set(['username', 'nickName', 'password', 'confirm', 'email', 'captcha']);
const present = (name: string) => registerFields.has(name);

describe('form errors', () => {
  it('puts a refusal without field errors on the field its code is about', () => {
    expect(fieldErrors(new ApiError(409, 'username_taken', 'That username is taken'), present)).toEqual([
      { name: 'username', errors: ['That username is taken'] },
    ]);
    expect(fieldErrors(new ApiError(409, 'email_taken', 'taken'), present)[0].name).toBe('email');
    expect(fieldErrors(new ApiError(400, 'captcha_invalid', 'wrong'), present)[0].name).toBe('captcha');
  });

  it('uses the field errors of a validation failure, only for fields the form has', () => {
    const error = new ApiError(400, 'validation_failed', 'bad', { nickName: 'too long', headPic: 'nope' });
    expect(fieldErrors(error, present)).toEqual([{ name: 'nickName', errors: ['too long'] }]);
    expect(fieldErrors(new ApiError(500, 'internal_error', 'oops'), present)).toEqual([]);
  });
});

describe('the password rule', () => {
  it('says characters, and holds to the 72 bytes the server allows', () => {
    expect(passwordProblem('12345')).toBe('6–72 characters');
    expect(passwordProblem('123456')).toBeNull();
    expect(passwordProblem('x'.repeat(72))).toBeNull();
    expect(passwordProblem('x'.repeat(73))).toBe('6–72 characters');
    expect(passwordProblem('é'.repeat(40))).toMatch(/count more than once/);
  });
});
