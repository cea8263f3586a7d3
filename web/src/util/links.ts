// Web addresses in a message's text, for showing them as links. The text stays text: the parts
// are rendered by React (escaped), never as HTML, and only http(s) addresses become links.

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const CANDIDATE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"»”’…]+$/;

/** Drops what a sentence puts after an address: punctuation, a closing bracket it did not open. */
function trim(candidate: string): string {
  let text = candidate.replace(TRAILING, '');
  for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']]) {
    while (text.endsWith(close) && text.split(open).length < text.split(close).length) {
      text = text.slice(0, -1).replace(TRAILING, '');
    }
  }
  return text;
}

function linkTarget(text: string): string | null {
  const href = /^www\./i.test(text) ? `https://${text}` : text;
  try {
    const url = new URL(href);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.') ? url.href : null;
  } catch {
    return null;
  }
}

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  const push = (part: string) => {
    if (!part) return;
    const previous = parts.at(-1);
    if (previous?.kind === 'text') previous.text += part;
    else parts.push({ kind: 'text', text: part });
  };
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    const candidate = trim(match[0]);
    const href = linkTarget(candidate);
    if (!href) continue;
    push(text.slice(last, start));
    parts.push({ kind: 'link', text: candidate, href });
    last = start + candidate.length;
  }
  push(text.slice(last));
  return parts;
}
