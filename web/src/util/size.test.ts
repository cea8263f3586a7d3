import { describe, expect, it } from 'vitest';
import { formatSize, objectKey } from './size';

describe('formatSize', () => {
  it('reads like a chat app', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1 KB');
    expect(formatSize(1234)).toBe('1.2 KB');
    expect(formatSize(34 * 1024 * 1024 + 5)).toBe('34 MB');
    expect(formatSize(1024 * 1024 - 1)).toBe('1 MB');
    expect(formatSize(3 * 1024 ** 3)).toBe('3 GB');
  });
  it('shows nothing for nonsense', () => {
    expect(formatSize(-1)).toBe('');
    expect(formatSize(Number.NaN)).toBe('');
  });
});

describe('objectKey', () => {
  it('takes the key out of an object URL', () => {
    expect(objectKey('http://h:3005/storage/object/attachment/1/u/Trip%20photos.zip')).toBe('attachment/1/u/Trip%20photos.zip');
    expect(objectKey('/storage/object/avatar/2/u/a.png?x=1')).toBe('avatar/2/u/a.png');
    expect(objectKey('https://elsewhere.example/a.zip')).toBeNull();
  });
});
