import { describe, expect, it } from 'vitest';
import { splitLinks } from './links';

describe('links in a message', () => {
  it('finds http(s) and www addresses and leaves the rest as text', () => {
    expect(splitLinks('see https://example.com/a?b=1#c, or www.rust-lang.org.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1#c', href: 'https://example.com/a?b=1#c' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'www.rust-lang.org', href: 'https://www.rust-lang.org/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keeps brackets that belong to the address and drops the ones around it', () => {
    expect(splitLinks('(https://en.wikipedia.org/wiki/Rust_(language))')[1]).toMatchObject({
      text: 'https://en.wikipedia.org/wiki/Rust_(language)',
    });
    expect(splitLinks('(see http://a.io/x)')[1]).toMatchObject({ text: 'http://a.io/x' });
  });

  it('never makes a link of another scheme or of markup', () => {
    for (const text of ['javascript:alert(1)', 'ftp://x.org/f', '<a href="https://x.org">x</a>', 'mailto:a@b.c', 'http://localhost']) {
      const parts = splitLinks(text);
      for (const part of parts) {
        if (part.kind === 'link') expect(part.href.startsWith('https://x.org')).toBe(true);
      }
      expect(parts.map((p) => p.text).join('')).toBe(text);
    }
    expect(splitLinks('<a href="https://x.org">x</a>').filter((p) => p.kind === 'link')).toHaveLength(1);
  });

  it('plain text is one part', () => {
    expect(splitLinks('hello')).toEqual([{ kind: 'text', text: 'hello' }]);
    expect(splitLinks('')).toEqual([]);
  });
});
