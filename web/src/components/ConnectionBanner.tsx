// The connection state the way chat apps show it: nothing while connected, "Connecting…" or
// "Offline" once the socket has been down for a moment (a blip that heals at once shows
// nothing), then "Back online" for a few seconds. One line in one place instead of toasts.
import { CheckCircleOutlined, DisconnectOutlined, LoadingOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useSession } from '../session';

type Shown = 'none' | 'connecting' | 'offline' | 'back';

const GRACE_MS = 1500;
const BACK_MS = 3000;

export function ConnectionBanner() {
  const { socket } = useSession();
  const [shown, setShown] = useState<Shown>('none');
  const [networkUp, setNetworkUp] = useState(() => navigator.onLine);
  const everOpen = useRef(socket.status === 'open');
  const current = useRef<Shown>('none');

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const show = (next: Shown) => {
      current.current = next;
      setShown(next);
    };
    const later = (next: Shown, ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => show(next), ms);
    };
    const follow = (status: typeof socket.status) => {
      if (status === 'open') {
        everOpen.current = true;
        if (timer) clearTimeout(timer);
        timer = null;
        if (current.current === 'connecting' || current.current === 'offline') {
          show('back');
          later('none', BACK_MS);
        }
      } else if (status === 'connecting') {
        later(everOpen.current ? 'offline' : 'connecting', GRACE_MS);
      }
    };
    follow(socket.status);
    const off = socket.on((event) => {
      if (event.kind === 'status') follow(event.status);
    });
    const up = () => setNetworkUp(true);
    const down = () => setNetworkUp(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      off();
      if (timer) clearTimeout(timer);
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, [socket]);

  if (shown === 'none') return null;
  const text =
    shown === 'back'
      ? 'Back online'
      : shown === 'connecting'
        ? 'Connecting…'
        : networkUp
          ? 'Offline: reconnecting… Messages you send now go out when it is back.'
          : 'No internet connection. Messages you send now go out when it is back.';
  return (
    <div className={`connection-banner ${shown}`} role="status" aria-live="polite" data-testid="connection" data-state={shown}>
      {shown === 'back' ? <CheckCircleOutlined /> : shown === 'connecting' ? <LoadingOutlined /> : <DisconnectOutlined />}
      <span>{text}</span>
      {shown === 'offline' && networkUp && (
        <Button size="small" type="link" onClick={() => socket.retryNow()} data-testid="reconnect">
          Retry now
        </Button>
      )}
    </div>
  );
}
