import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../api/types';
import { UnreadCounts, tabTitle } from './unread';

const msg = (room: number, seq: number, sender: number) =>
  ({ id: room * 1000 + seq, chatroomId: room, seq, sender: { id: sender } }) as ChatMessage;

describe('unread counts outside the list', () => {
  it("counts others' new messages once, not mine, not the room being read", () => {
    const unread = new UnreadCounts();
    unread.reset([{ id: 1, unreadCount: 2, lastMessage: msg(1, 5, 2) }, { id: 2, unreadCount: 0, lastMessage: null }]);
    expect(unread.total()).toBe(2);
    expect(unread.message(msg(1, 5, 2), 9, false)).toBe(false); // replayed
    expect(unread.message(msg(1, 6, 2), 9, false)).toBe(true);
    expect(unread.message(msg(1, 6, 2), 9, false)).toBe(false); // twice
    expect(unread.message(msg(2, 1, 9), 9, false)).toBe(false); // mine
    expect(unread.message(msg(2, 2, 3), 9, true)).toBe(false); // on screen
    expect(unread.message(msg(3, 1, 3), 9, false)).toBe(true); // a room new to us
    expect(unread.total()).toBe(4);
    unread.read(1);
    expect(unread.total()).toBe(1);
  });

  it('puts the count in the tab title', () => {
    expect(tabTitle('Chat', 0)).toBe('Chat');
    expect(tabTitle('Chat', 3)).toBe('(3) Chat');
    expect(tabTitle('Chat', 120)).toBe('(99+) Chat');
  });
});
