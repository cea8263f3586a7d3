// Unread messages per room outside the room list: the Chats icon's badge, the tab title and the
// desktop notifications. Seeded from the room list, then counted from the socket's messages
// (each seq once, however many times it is delivered).
import type { ChatMessage, RoomListItem } from '../api/types';

export class UnreadCounts {
  private counts = new Map<number, number>();
  private newest = new Map<number, number>();

  /** The room list's counts are the truth as of its loading. */
  reset(rooms: Pick<RoomListItem, 'id' | 'unreadCount' | 'lastMessage'>[]) {
    this.counts = new Map(rooms.map((r) => [r.id, r.unreadCount]));
    this.newest = new Map(rooms.map((r) => [r.id, r.lastMessage?.seq ?? 0]));
  }

  /** Counts a message unless it is mine, already counted, or being read; says if it counted. */
  message(message: ChatMessage, myId: number | undefined, reading: boolean): boolean {
    const room = message.chatroomId;
    if (message.seq <= (this.newest.get(room) ?? 0)) return false;
    this.newest.set(room, message.seq);
    if (message.sender.id === myId || reading) return false;
    this.counts.set(room, (this.counts.get(room) ?? 0) + 1);
    return true;
  }

  /** Seen up to a point: `unread` is what is still below it. */
  read(roomId: number, unread = 0) {
    this.counts.set(roomId, unread);
  }

  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }
}

/** "(3) Chat" while something is unread. */
export function tabTitle(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${base}` : base;
}

export const NOTIFY_KEY = 'chat.notify';

/** Desktop notifications: asked for in the profile, shown only with the browser's permission. */
export function notificationsOn(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted' && localStorage.getItem(NOTIFY_KEY) === 'on';
}
