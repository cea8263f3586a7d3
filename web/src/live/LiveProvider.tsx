// What every page may show about the rest of the app: friend requests waiting for an answer
// (kept live by the socket's user events, API.md §7, and reloaded after a reconnect since those
// are not replayed) and which messages are saved as favorites.
import { App } from 'antd';
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { favorites, friends } from '../api/endpoints';
import { useNavigate } from 'react-router-dom';
import type { ChatMessage, RoomListItem } from '../api/types';
import { useSession } from '../session';
import { useUnread } from './useUnread';

/** Favorites are read once per session up to this many (pages of 100); a star beyond shows empty. */
const FAVORITE_PAGES = 10;

interface Live {
  /** Requests to me still pending. */
  pendingRequests: number;
  refreshRequests(): void;
  /** Saved messages: message id → favorite id (loaded by the first `loadFavorites`). */
  saved: Map<number, number>;
  loadFavorites(): void;
  toggleFavorite(message: ChatMessage): Promise<void>;
  /** A favorite removed elsewhere (the favorites page). */
  forgetFavorite(messageId: number): void;
  /** Unread messages in all rooms, for the Chats icon and the tab title. */
  unreadTotal: number;
  /** The room list as the Chats page loaded it (its counts are the truth). */
  roomsLoaded(list: RoomListItem[]): void;
  markRoomRead(roomId: number, unread?: number): void;
  /** The conversation on screen (its messages are read as they come). */
  setActiveRoom(roomId: number | null): void;
}

const LiveContext = createContext<Live>({
  pendingRequests: 0,
  refreshRequests: () => undefined,
  saved: new Map(),
  loadFavorites: () => undefined,
  toggleFavorite: async () => undefined,
  forgetFavorite: () => undefined,
  unreadTotal: 0,
  roomsLoaded: () => undefined,
  markRoomRead: () => undefined,
  setActiveRoom: () => undefined,
});

export function useLive(): Live {
  return useContext(LiveContext);
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const { me, socket } = useSession();
  const { message: toast } = App.useApp();
  const [pendingRequests, setPendingRequests] = useState(0);
  const [saved, setSaved] = useState<Map<number, number>>(new Map());
  const favoritesLoaded = useRef(false);
  const myId = me?.id;
  const navigate = useNavigate();
  const unread = useUnread(socket, myId, (roomId) => navigate(`/chats/${roomId}`));

  const loadFavorites = useCallback(() => {
    if (favoritesLoaded.current) return;
    favoritesLoaded.current = true;
    void (async () => {
      const found = new Map<number, number>();
      for (let page = 1; page <= FAVORITE_PAGES; page += 1) {
        const result = await favorites.list(page, 100, { silent: true });
        for (const item of result.items) found.set(item.message.id, item.id);
        if (page * 100 >= result.total) break;
      }
      setSaved((current) => new Map([...found, ...current]));
    })().catch(() => {
      favoritesLoaded.current = false;
    });
  }, []);

  const toggleFavorite = useCallback(
    async (message: ChatMessage) => {
      const favoriteId = saved.get(message.id);
      try {
        if (favoriteId !== undefined) {
          await favorites.remove(favoriteId);
          setSaved((current) => {
            const next = new Map(current);
            next.delete(message.id);
            return next;
          });
          toast.success('Removed from favorites');
        } else {
          const added = await favorites.add(message.id);
          setSaved((current) => new Map(current).set(message.id, added.id));
          toast.success('Saved to favorites');
        }
      } catch {
        // toast shown
      }
    },
    [saved, toast],
  );

  const forgetFavorite = useCallback((messageId: number) => {
    setSaved((current) => {
      const next = new Map(current);
      next.delete(messageId);
      return next;
    });
  }, []);

  const refreshRequests = useCallback(() => {
    if (myId === undefined) return;
    friends
      .requests({ silent: true })
      .then((page) => setPendingRequests(page.toMe.filter((r) => r.status === 0).length))
      .catch(() => undefined);
  }, [myId]);

  useEffect(() => refreshRequests(), [refreshRequests]);

  useEffect(
    () =>
      socket.on((event) => {
        if (event.kind === 'friendRequest') setPendingRequests((count) => count + 1);
        else if (event.kind === 'friendAdded' || (event.kind === 'status' && event.status === 'open')) refreshRequests();
      }),
    [socket, refreshRequests],
  );

  const value = { pendingRequests, refreshRequests, saved, loadFavorites, toggleFavorite, forgetFavorite, ...unread };
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
