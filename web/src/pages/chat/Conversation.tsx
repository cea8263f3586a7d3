import { ArrowDownOutlined, ArrowLeftOutlined, PaperClipOutlined, SendOutlined, TeamOutlined } from '@ant-design/icons';
import { App, Button, Empty, Grid, Input, Result, Spin, Upload } from 'antd';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { rooms } from '../../api/endpoints';
import type { ChatMessage, RoomInfo, RoomListItem } from '../../api/types';
import { useLive } from '../../live/LiveProvider';
import { useSession } from '../../session';
import { UserAvatar } from '../../components/UserAvatar';
import { GroupDrawer } from './GroupDrawer';
import { firstPage, firstUnread } from './history';
import { Timeline } from './Timeline';
import { useGroupMembers } from './useGroupMembers';
import { useOutbox } from './useOutbox';
import { useSeen } from './useSeen';
import { useSend } from './useSend';

const PAGE = 30;

function merged(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

export function Conversation({ roomId, at, listed, onBack, onRead, onLeft }: {
  roomId: number;
  /** Open at this message (seq) instead of the newest. */
  at?: number;
  listed: RoomListItem | null;
  onBack?: () => void;
  /** Messages were seen; `unread` is what is still below them. */
  onRead: (roomId: number, unread: number) => void;
  onLeft: () => void;
}) {
  const { me, socket } = useSession();
  const { message: toast } = App.useApp();
  const wide = Grid.useBreakpoint().md;
  const { loadFavorites } = useLive();
  const [highlight, setHighlight] = useState<number | null>(null);
  /** Where the first render puts the view: a saved message (centred) or the unread divider. */
  const focus = useRef<{ selector: string; block: ScrollLogicalPosition } | null>(null);
  const [dividerSeq, setDividerSeq] = useState<number | null>(null);
  /** Scrolled up from the bottom, and how many messages came below meanwhile. */
  const [away, setAway] = useState(false);
  const [newBelow, setNewBelow] = useState(0);
  const unreadAtOpen = useRef(listed?.unreadCount ?? 0);
  /** Everything up to this seq was read before the room was opened. */
  const readBefore = useRef(0);
  const [info, setInfo] = useState<RoomInfo | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<'loading' | 'ready' | 'missing'>('loading');
  const [olderLoading, setOlderLoading] = useState(false);
  const [text, setText] = useState('');
  const [membersOpen, setMembersOpen] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const keepOffset = useRef<number | null>(null);
  const newestSeq = useRef(0);
  newestSeq.current = messages.at(-1)?.seq ?? 0;
  const isGroup = (info?.type ?? listed?.type) === 'group';
  const refreshInfo = useCallback(() => {
    rooms.info(roomId, { silent: true }).then(setInfo).catch(() => undefined);
  }, [roomId]);
  const group = useGroupMembers(roomId, isGroup, () => newestSeq.current, refreshInfo);
  const outbox = useOutbox(roomId, messages);
  const stored = useCallback((message: ChatMessage) => setMessages((current) => merged(current, [message])), []);
  const send = useSend(roomId, stored, () => void (atBottom.current = true));
  const pending = [...outbox, ...send.uploads];

  const sendText = () => {
    const content = text.trim();
    if (content && send.sendText(content)) setText('');
  };

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([
      rooms.info(roomId, { signal: abort.signal, silent: true }),
      // Enough to hold every unread message (up to 100) so the view can open at the first.
      firstPage(
        (cursor) => rooms.history(roomId, cursor, { signal: abort.signal, silent: true }),
        Math.min(100, Math.max(PAGE, unreadAtOpen.current + 10)),
        at,
      ),
    ])
      .then(([room, history]) => {
        setInfo(room);
        const unreadFrom = firstUnread(history.items, unreadAtOpen.current, me?.id);
        readBefore.current = unreadFrom !== null ? unreadFrom - 1 : (history.items.at(-1)?.seq ?? 0);
        const divider = history.at ? null : unreadFrom;
        if (history.at) {
          focus.current = { selector: `[data-seq="${history.at}"]`, block: 'center' };
          atBottom.current = false;
          setHighlight(history.at);
        } else if (divider !== null) {
          focus.current = { selector: '[data-testid="unread-divider"]', block: 'start' };
          atBottom.current = false;
          setDividerSeq(divider);
        }
        setMessages((current) => merged(current, history.items));
        setHasMore(history.hasMore);
        setState('ready');
        socket.join(roomId, history.items.at(-1)?.seq ?? 0);
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState((error as { status?: number }).status === 404 ? 'missing' : 'ready');
      });
    return () => abort.abort();
    // Once per opening: the unread count and who I am are those of the moment it opened.
  }, [roomId, socket, at]);

  useEffect(() => loadFavorites(), [loadFavorites]);

  useEffect(
    () =>
      socket.on((event) => {
        if (event.kind === 'message' && event.message.chatroomId === roomId) {
          const incoming = event.message;
          setMessages((current) => merged(current, [incoming]));
          // Counted once, and not for a replay of what is already shown.
          if (!atBottom.current && incoming.sender.id !== me?.id && incoming.seq > newestSeq.current) {
            setNewBelow((count) => count + 1);
          }
        } else if (event.kind === 'error' && event.clientId && event.chatroomId === roomId) {
          toast.error(event.message || 'The message was refused');
        }
      }),
    [socket, roomId, toast, me?.id],
  );

  // Stay at the bottom for new messages; keep the view still when older ones are put above.
  useLayoutEffect(() => {
    const box = scroller.current;
    if (!box) return;
    if (focus.current !== null) {
      box.querySelector(focus.current.selector)?.scrollIntoView({ block: focus.current.block });
      focus.current = null;
      atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
      setAway(!atBottom.current);
    } else if (keepOffset.current !== null) {
      box.scrollTop = box.scrollHeight - keepOffset.current;
      keepOffset.current = null;
    } else if (atBottom.current) {
      box.scrollTop = box.scrollHeight;
    }
  }, [messages, pending.length, group.notices]);

  // An image that loads grows the content under a view pinned to the bottom: keep it pinned.
  useEffect(() => {
    const box = scroller.current;
    if (!box) return;
    const onLoad = (event: Event) => {
      if (event.target instanceof HTMLImageElement && atBottom.current) box.scrollTop = box.scrollHeight;
    };
    box.addEventListener('load', onLoad, true);
    return () => box.removeEventListener('load', onLoad, true);
  }, [state]);

  const markSeen = useSeen(roomId, scroller, messages, readBefore, onRead);

  const loadOlder = useCallback(async () => {
    const first = messages[0];
    if (!first || !hasMore || olderLoading) return;
    setOlderLoading(true);
    try {
      const history = await rooms.history(roomId, { beforeSeq: first.seq, limit: PAGE });
      keepOffset.current = (scroller.current?.scrollHeight ?? 0) - (scroller.current?.scrollTop ?? 0);
      setMessages((current) => merged(current, history.items));
      setHasMore(history.hasMore);
    } catch {
      // toast shown
    } finally {
      setOlderLoading(false);
    }
  }, [messages, hasMore, olderLoading, roomId]);

  const onScroll = () => {
    const box = scroller.current;
    if (!box) return;
    atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    setAway(!atBottom.current);
    if (atBottom.current) setNewBelow(0);
    markSeen();
    if (box.scrollTop < 40) void loadOlder();
  };

  const toBottom = () => {
    const box = scroller.current;
    if (!box) return;
    atBottom.current = true;
    box.scrollTop = box.scrollHeight;
    setAway(false);
    setNewBelow(0);
  };

  const name = info?.name ?? listed?.name ?? '';

  if (state === 'missing') {
    return (
      <div className="conversation">
        <Result status="404" title="No such chat" subTitle="It does not exist or you are not in it." extra={onBack && <Button onClick={onBack}>Back</Button>} />
      </div>
    );
  }

  return (
    <section className="conversation" aria-label={`Chat ${name}`}>
      <div className="header">
        {onBack && <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label="Back" />}
        <UserAvatar name={name} group={isGroup} src={listed?.peer?.headPic || undefined} size={32} />
        <div className="title" data-testid="room-title">
          {name}
          {isGroup && info ? ` (${info.userCount})` : ''}
        </div>
        {isGroup && (
          <Button icon={<TeamOutlined />} onClick={() => setMembersOpen(true)} data-testid="members">
            Members
          </Button>
        )}
      </div>
      <div className="messages-pane">
        <div className="messages" ref={scroller} onScroll={onScroll} data-testid="messages">
          {state === 'loading' && <Spin style={{ display: 'block', marginTop: 32 }} />}
          {olderLoading && <Spin size="small" style={{ display: 'block', margin: '8px auto' }} />}
          {state === 'ready' && !hasMore && messages.length > 0 && <div className="day-separator">The beginning of this chat</div>}
          {state === 'ready' && messages.length === 0 && pending.length === 0 && <Empty description="No messages yet: say hello" />}
          <Timeline
            messages={messages}
            notices={group.notices}
            pending={pending}
            isGroup={isGroup}
            dividerSeq={dividerSeq}
            highlight={highlight}
            onRetry={send.retry}
            onDiscard={send.discard}
          />
        </div>
        {away && (
          <Button shape="round" className="jump-down" icon={<ArrowDownOutlined />} onClick={toBottom} data-testid="jump-down">
            {newBelow > 0 ? `${newBelow} new message${newBelow === 1 ? '' : 's'}` : undefined}
          </Button>
        )}
      </div>
      <div className="composer">
        <Upload showUploadList={false} beforeUpload={(file) => { void send.sendFile(file); return false; }} multiple>
          <Button icon={<PaperClipOutlined />} aria-label="Send a file or image" data-testid="attach" />
        </Upload>
        <Input.TextArea
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoSize={{ minRows: 1, maxRows: 6 }}
          // On a phone the long hint would wrap to three lines.
          placeholder={wide ? 'Write a message (Enter sends, Shift+Enter breaks the line)' : 'Message'}
          onPressEnter={(e) => {
            if (!e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              sendText();
            }
          }}
          data-testid="composer"
        />
        <Button type="primary" icon={<SendOutlined />} onClick={sendText} disabled={!text.trim()} data-testid="send">
          Send
        </Button>
      </div>
      {isGroup && info && (
        <GroupDrawer
          open={membersOpen}
          room={info}
          members={group.members}
          onClose={() => setMembersOpen(false)}
          onChanged={(room) => {
            setInfo(room);
            void group.reload();
          }}
          onLeft={onLeft}
        />
      )}
    </section>
  );
}
