// The first page of a conversation: the newest messages, or, opened at one message (a saved
// favorite), that message with a page of older ones above it and everything newer below, so
// the view has no gap between it and the live messages that follow.
import type { ChatMessage, History } from '../../api/types';

type Fetch = (cursor: { beforeSeq?: number; afterSeq?: number; limit?: number }) => Promise<History>;

/** Beyond this many newer pages (of 100) the newest page is shown instead. */
const MAX_NEWER_PAGES = 20;

export async function firstPage(fetch: Fetch, page: number, at?: number): Promise<History & { at?: number }> {
  if (!at) return fetch({ limit: page });
  const older = await fetch({ beforeSeq: at + 1, limit: page });
  const items = [...older.items];
  let after = at;
  for (let round = 0; round < MAX_NEWER_PAGES; round += 1) {
    const newer = await fetch({ afterSeq: after, limit: 100 });
    items.push(...newer.items);
    const last = newer.items.at(-1);
    if (!newer.hasMore || !last) {
      return { items, hasMore: older.hasMore, at: items.some((m) => m.seq === at) ? at : undefined };
    }
    after = last.seq;
  }
  return fetch({ limit: page });
}

/**
 * Where the unread messages start: the seq of the oldest of the last `unread` messages from
 * others (the server counts only theirs), or null when nothing is unread.
 */
export function firstUnread(messages: ChatMessage[], unread: number, myId: number | undefined): number | null {
  if (unread <= 0) return null;
  let counted = 0;
  let first: number | null = null;
  for (let index = messages.length - 1; index >= 0 && counted < unread; index -= 1) {
    if (messages[index].sender.id === myId) continue;
    counted += 1;
    first = messages[index].seq;
  }
  return first;
}

/** Messages from others after `seq`: what is still unread once everything up to it was seen. */
export function unreadAfter(messages: ChatMessage[], seq: number, myId: number | undefined): number {
  return messages.filter((m) => m.seq > seq && m.sender.id !== myId).length;
}
