// Reading: the read marker follows the last message that has been on screen (not the newest
// loaded: the view may open above it), as messages come, as the view scrolls and when the tab is
// looked at again; the room is "active" (its messages not counted unread) while it is shown.
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { rooms } from '../../api/endpoints';
import type { ChatMessage } from '../../api/types';
import { useLive } from '../../live/LiveProvider';
import { useSession } from '../../session';
import { unreadAfter } from './history';

/** The seq of the last message row whose top is inside the box. */
function lastOnScreen(box: HTMLElement): number {
  const bottom = box.getBoundingClientRect().bottom;
  const rows = box.querySelectorAll<HTMLElement>('[data-testid="message"][data-seq]');
  for (let index = rows.length - 1; index >= 0; index -= 1) {
    if (rows[index].getBoundingClientRect().top < bottom - 8) return Number(rows[index].dataset.seq);
  }
  return 0;
}

export function useSeen(
  roomId: number,
  scroller: RefObject<HTMLDivElement | null>,
  messages: ChatMessage[],
  /** Read before the room was opened: never counted unread again (opened above it, at a favorite). */
  readBefore: RefObject<number>,
  onRead: (roomId: number, unread: number) => void,
): () => void {
  const { me, socket } = useSession();
  const { setActiveRoom } = useLive();
  const lastRead = useRef(0);

  useEffect(() => {
    setActiveRoom(roomId);
    return () => setActiveRoom(null);
  }, [roomId, setActiveRoom]);

  const markSeen = useCallback(() => {
    const box = scroller.current;
    if (!box || document.visibilityState !== 'visible') return;
    const seen = lastOnScreen(box);
    if (seen <= lastRead.current) return;
    lastRead.current = seen;
    if (socket.status === 'open') socket.read(roomId, seen);
    else void rooms.read(roomId, seen).catch(() => undefined);
    onRead(roomId, unreadAfter(messages, Math.max(seen, readBefore.current), me?.id));
  }, [messages, roomId, socket, onRead, me?.id, scroller, readBefore]);

  useEffect(() => {
    markSeen();
    document.addEventListener('visibilitychange', markSeen);
    return () => document.removeEventListener('visibilitychange', markSeen);
  }, [markSeen]);

  return markSeen;
}
