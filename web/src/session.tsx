// The signed-in user, the API client and the socket, shared by every page.
import { App as AntApp } from 'antd';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { configure, user as userApi } from './api/endpoints';
import { browserTokenStore, createApi, type Api } from './api/http';
import type { Profile } from './api/types';
import { ChatSocket, socketUrl } from './socket/chatSocket';
import { Outbox, outboxKey } from './socket/outbox';

interface Session {
  me: Profile | null;
  /** True until the stored token has been checked. */
  loading: boolean;
  socket: ChatSocket;
  signIn(token: string, profile: Profile): void;
  /** Logs out on purpose: also forgets this account's unsent messages (a shared computer). */
  signOut(): void;
  setMe(profile: Profile): void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [me, setMe] = useState<Profile | null>(null);
  const [loading, setLoading] = useState(true);
  const apiRef = useRef<Api | null>(null);
  const socketRef = useRef<ChatSocket | null>(null);

  if (!apiRef.current) {
    apiRef.current = createApi('', browserTokenStore, {
      onUnauthorized: () => {
        socketRef.current?.stop();
        setMe(null);
        message.warning('Your session has ended. Please log in again.');
        navigate('/login', { replace: true });
      },
      onError: (text, error) => {
        // Unreachable while the socket is down too: the connection banner already says so.
        if (error.status === 0 && socketRef.current?.status !== 'open') return;
        message.error(text);
      },
    });
    configure(apiRef.current);
  }
  if (!socketRef.current) {
    socketRef.current = new ChatSocket({
      url: () => socketUrl(browserTokenStore.get()),
      // A dead token ends the session through the HTTP client's 401 handling.
      onRepeatedFailure: () => void userApi.info({ silent: true }).catch(() => undefined),
    });
  }
  const api = apiRef.current;
  const socket = socketRef.current;

  /** The socket starts with the account's outbox, so what waited since the last visit is sent. */
  const startSocket = useCallback(
    (profile: Profile) => {
      socket.useOutbox(new Outbox(window.localStorage, outboxKey(profile.id)));
      socket.start();
    },
    [socket],
  );

  useEffect(() => {
    // Another tab of this account changed the outbox; the network came back.
    const onStorage = (event: StorageEvent) => {
      if (event.key?.startsWith('chat.outbox.')) socket.outboxChangedElsewhere();
    };
    const onOnline = () => socket.retryNow();
    window.addEventListener('storage', onStorage);
    window.addEventListener('online', onOnline);
    return () => {
      window.removeEventListener('storage', onStorage);
      window.removeEventListener('online', onOnline);
    };
  }, [socket]);

  useEffect(() => {
    if (!api.tokens.get()) {
      setLoading(false);
      return;
    }
    userApi
      .info({ silent: true })
      .then((profile) => {
        setMe(profile);
        startSocket(profile);
      })
      .catch(() => undefined)
      .finally(() => setLoading(false));
  }, [api, startSocket]);

  const signIn = useCallback(
    (token: string, profile: Profile) => {
      api.signIn(token);
      setMe(profile);
      startSocket(profile);
    },
    [api, startSocket],
  );

  const signOut = useCallback(() => {
    socket.outbox.clear();
    socket.stop();
    api.signOut();
    setMe(null);
    navigate('/login', { replace: true });
  }, [api, socket, navigate]);

  const value = useMemo(
    () => ({ me, loading, socket, signIn, signOut, setMe }),
    [me, loading, socket, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
