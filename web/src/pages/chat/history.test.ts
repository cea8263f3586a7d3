import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../api/types';
import { firstPage, firstUnread, unreadAfter } from './history';

const room = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, seq: i + 1 }) as ChatMessage);

async function fetchRoom({ beforeSeq, afterSeq, limit = 50 }: { beforeSeq?: number; afterSeq?: number; limit?: number }) {
  if (afterSeq !== undefined) {
    const items = room.filter((m) => m.seq > afterSeq).slice(0, limit);
    return { items, hasMore: room.some((m) => m.seq > (items.at(-1)?.seq ?? Infinity)) };
  }
  const older = room.filter((m) => beforeSeq === undefined || m.seq < beforeSeq);
  const items = older.slice(-limit);
  return { items, hasMore: older.length > limit };
}

describe('the first page of a conversation', () => {
  it('is the newest messages by default', async () => {
    const page = await firstPage(fetchRoom, 30);
    expect(page.items.map((m) => m.seq)).toEqual(room.slice(-30).map((m) => m.seq));
    expect(page.at).toBeUndefined();
  });

  it('opened at a message: that message, older ones above, every newer one below without a gap', async () => {
    const page = await firstPage(fetchRoom, 30, 40);
    const seqs = page.items.map((m) => m.seq);
    expect(seqs[0]).toBe(11);
    expect(seqs.at(-1)).toBe(250);
    expect(seqs).toEqual(Array.from({ length: 240 }, (_, i) => i + 11));
    expect(page.hasMore).toBe(true);
    expect(page.at).toBe(40);
  });
});

describe('unread messages in a conversation', () => {
  const from = (seq: number, sender: number) => ({ id: seq, seq, sender: { id: sender } }) as ChatMessage;
  const messages = [from(1, 2), from(2, 9), from(3, 2), from(4, 9), from(5, 3)];

  it('start at the oldest of the last N messages from others', () => {
    expect(firstUnread(messages, 0, 9)).toBeNull();
    expect(firstUnread(messages, 1, 9)).toBe(5);
    expect(firstUnread(messages, 2, 9)).toBe(3);
    expect(firstUnread(messages, 10, 9)).toBe(1);
  });

  it('what stays unread after a message was seen', () => {
    expect(unreadAfter(messages, 3, 9)).toBe(1);
    expect(unreadAfter(messages, 5, 9)).toBe(0);
  });
});
