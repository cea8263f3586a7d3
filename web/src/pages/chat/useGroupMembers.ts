// A group's members, kept live: someone added or leaving (API.md §7 `joinRoom` / `exitRoom`)
// reloads them, and the conversation gets a "Carol joined" / "Carol left" line where it happened.
// Those lines are this session's: the server stores no such events in the history.
import { useCallback, useEffect, useRef, useState } from 'react';
import { rooms } from '../../api/endpoints';
import type { UserSummary } from '../../api/types';
import { useSession } from '../../session';

export interface Notice {
  key: string;
  /** Shown after the message with this seq. */
  afterSeq: number;
  text: string;
}

export function useGroupMembers(roomId: number, isGroup: boolean, newestSeq: () => number, onChanged: () => void) {
  const { me, socket } = useSession();
  const [members, setMembers] = useState<UserSummary[] | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const known = useRef<Map<number, UserSummary> | null>(null);
  const callbacks = useRef({ newestSeq, onChanged });
  callbacks.current = { newestSeq, onChanged };

  const reload = useCallback(async (): Promise<UserSummary[] | null> => {
    try {
      const page = await rooms.members(roomId, { silent: true });
      known.current = new Map(page.items.map((m) => [m.id, m]));
      setMembers(page.items);
      return page.items;
    } catch {
      return null;
    }
  }, [roomId]);

  useEffect(() => {
    if (isGroup) void reload();
  }, [isGroup, reload]);

  useEffect(
    () =>
      socket.on((event) => {
        if ((event.kind !== 'memberAdded' && event.kind !== 'memberLeft') || event.chatroomId !== roomId) return;
        const before = known.current;
        const { userId, kind } = event;
        const afterSeq = callbacks.current.newestSeq();
        callbacks.current.onChanged();
        void reload().then((after) => {
          if (userId === me?.id) return;
          let text: string | null = null;
          if (kind === 'memberLeft') text = `${before?.get(userId)?.nickName ?? 'A member'} left`;
          // At creation the room names its creator, who was there from the start: no line.
          else if (before && !before.has(userId)) text = `${after?.find((m) => m.id === userId)?.nickName ?? 'Someone'} joined`;
          if (text) {
            const notice = { key: `${kind}-${userId}-${Date.now()}`, afterSeq, text };
            setNotices((list) => [...list, notice]);
          }
        });
      }),
    [socket, roomId, reload, me?.id],
  );

  return { members, notices, reload };
}
