// The unread total for the Chats icon and the tab title, and a desktop notification for a
// message that arrives while the tab is hidden (only with the browser's permission).
import { useCallback, useEffect, useRef, useState } from 'react';
import { rooms } from '../api/endpoints';
import type { ChatMessage, RoomListItem } from '../api/types';
import type { ChatSocket } from '../socket/chatSocket';
import { notificationsOn, tabTitle, UnreadCounts } from './unread';

const BASE_TITLE = 'Chat';

function notify(message: ChatMessage, open: (roomId: number) => void) {
  const body = message.type === 'image' ? '[Image]' : message.type === 'file' ? '[File]' : message.content.slice(0, 200);
  try {
    const note = new Notification(message.sender.nickName, { body, tag: `room-${message.chatroomId}`, icon: message.sender.headPic || undefined });
    note.onclick = () => {
      window.focus();
      open(message.chatroomId);
      note.close();
    };
  } catch {
    // Some browsers only notify from a service worker: then there is no notification.
  }
}

export function useUnread(socket: ChatSocket, myId: number | undefined, open: (roomId: number) => void) {
  const counts = useRef(new UnreadCounts());
  const [total, setTotal] = useState(0);
  const activeRoom = useRef<number | null>(null);
  const openRef = useRef(open);
  openRef.current = open;

  const roomsLoaded = useCallback((list: RoomListItem[]) => {
    counts.current.reset(list);
    setTotal(counts.current.total());
  }, []);

  const markRoomRead = useCallback((roomId: number, unread = 0) => {
    counts.current.read(roomId, unread);
    setTotal(counts.current.total());
  }, []);

  const setActiveRoom = useCallback((roomId: number | null) => {
    activeRoom.current = roomId;
  }, []);

  useEffect(() => {
    if (myId === undefined) return;
    // Rooms are followed on the socket from any page (not only once the chat list was shown),
    // so their messages are counted wherever one is.
    const load = () =>
      rooms
        .list(undefined, { silent: true })
        .then((page) => {
          roomsLoaded(page.items);
          for (const room of page.items) socket.join(room.id, room.lastMessage?.seq ?? 0);
        })
        .catch(() => undefined);
    void load();
    return socket.on((event) => {
      if ((event.kind === 'status' && event.status === 'open') || event.kind === 'memberAdded') void load();
      if (event.kind !== 'message') return;
      const visible = document.visibilityState === 'visible';
      const reading = visible && activeRoom.current === event.message.chatroomId;
      if (!counts.current.message(event.message, myId, reading)) return;
      setTotal(counts.current.total());
      if (!visible && notificationsOn()) notify(event.message, (roomId) => openRef.current(roomId));
    });
  }, [socket, myId, roomsLoaded]);

  useEffect(() => {
    document.title = tabTitle(BASE_TITLE, total);
  }, [total]);
  useEffect(() => () => void (document.title = BASE_TITLE), []);

  return { unreadTotal: total, roomsLoaded, markRoomRead, setActiveRoom };
}
