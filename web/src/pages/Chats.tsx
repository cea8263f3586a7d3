import { PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, Grid, Input, Spin } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { rooms } from '../api/endpoints';
import { isCancelled, latestOnly } from '../api/http';
import type { ChatMessage, RoomListItem } from '../api/types';
import { HoverTooltip } from '../components/HoverTooltip';
import { UserAvatar } from '../components/UserAvatar';
import { useLive } from '../live/LiveProvider';
import { useSession } from '../session';
import { shortTime } from '../util/time';
import { Conversation } from './chat/Conversation';
import { CreateGroupModal } from './chat/CreateGroupModal';

export function preview(message: ChatMessage | null, group = false, myId?: number): string {
  if (!message) return 'No messages yet';
  const text = message.type === 'image' ? '[Image]' : message.type === 'file' ? '[File]' : message.content;
  // In a group, who wrote it matters as much as what.
  if (!group) return text;
  return `${message.sender.id === myId ? 'You' : message.sender.nickName}: ${text}`;
}

export function ChatsPage() {
  const { me, socket } = useSession();
  const { roomsLoaded, markRoomRead } = useLive();
  const navigate = useNavigate();
  const params = useParams();
  const current = params.roomId ? Number(params.roomId) : null;
  const [search] = useSearchParams();
  const at = Number(search.get('at')) || undefined;
  const screens = Grid.useBreakpoint();
  const narrow = !screens.md;
  const [list, setList] = useState<RoomListItem[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const requests = useMemo(() => latestOnly(), []);
  const currentRef = useRef(current);
  currentRef.current = current;
  const listRef = useRef(list);
  listRef.current = list;

  const load = useCallback(async () => {
    try {
      const page = await rooms.list(filter, { signal: requests.next() });
      setList(page.items);
      if (!filter) roomsLoaded(page.items);
      setFailed(false);
      for (const room of page.items) socket.join(room.id, room.lastMessage?.seq ?? 0);
    } catch (error) {
      if (!isCancelled(error)) setFailed(true);
    }
  }, [filter, requests, socket, roomsLoaded]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => () => requests.cancel(), [requests]);

  // A reload asked for by live events, one request however many events come within 200 ms. The
  // timer lives apart from the subscription below: when the subscription was made again on
  // every change of the URL (it used `navigate`, which changes with it), it dropped a pending
  // reload, and a new group stayed out of the list for good.
  const loadRef = useRef(load);
  loadRef.current = load;
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadSoon = useCallback(() => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      void loadRef.current();
    }, 200);
  }, []);
  useEffect(
    () => () => {
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    },
    [],
  );

  // Live: a new message moves its room up; rooms we do not know yet (a new group) reload the list.
  useEffect(() => {
    const off = socket.on((event) => {
      // Member counts and new rooms: the list is reloaded (one request however many events).
      if (event.kind === 'memberAdded' || event.kind === 'memberLeft' || (event.kind === 'status' && event.status === 'open')) {
        reloadSoon();
        return;
      }
      if (event.kind === 'left') {
        // Left on another device (or over HTTP): the room is no longer ours.
        setList((rooms) => rooms?.filter((r) => r.id !== event.chatroomId) ?? rooms);
        if (currentRef.current === event.chatroomId) navigateRef.current('/chats');
        return;
      }
      if (event.kind !== 'message') return;
      const message = event.message;
      if (listRef.current && !listRef.current.some((r) => r.id === message.chatroomId)) {
        reloadSoon();
        return;
      }
      setList((rooms) => {
        if (!rooms) return rooms;
        const room = rooms.find((r) => r.id === message.chatroomId);
        if (!room) return rooms;
        if (room.lastMessage && room.lastMessage.seq >= message.seq) return rooms;
        const unread =
          message.sender.id !== me?.id && currentRef.current !== room.id ? room.unreadCount + 1 : room.unreadCount;
        const updated = { ...room, lastMessage: message, updateTime: message.createTime, unreadCount: unread };
        return [updated, ...rooms.filter((r) => r.id !== room.id)];
      });
    });
    return off;
  }, [socket, me?.id, reloadSoon]);

  const markRead = useCallback(
    (roomId: number, unread: number) => {
      setList((rooms) => rooms?.map((r) => (r.id === roomId ? { ...r, unreadCount: unread } : r)) ?? rooms);
      markRoomRead(roomId, unread);
    },
    [markRoomRead],
  );

  const currentRoom = list?.find((r) => r.id === current) ?? null;
  const showList = !narrow || current === null;
  const showConversation = !narrow || current !== null;

  return (
    <>
      {showList && (
        <aside className="room-list" aria-label="Rooms">
          <div className="search">
            <Input.Search placeholder="Search chats" allowClear onSearch={setFilter} onChange={(e) => !e.target.value && setFilter('')} />
            <HoverTooltip title="New group">
              <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-group" />
            </HoverTooltip>
          </div>
          <div className="rooms">
            {list === null && !failed && <Spin style={{ display: 'block', marginTop: 32 }} />}
            {failed && list === null && (
              <Empty description="Could not load your chats">
                <Button onClick={() => void load()}>Try again</Button>
              </Empty>
            )}
            {list?.length === 0 && (
              <Empty style={{ marginTop: 32 }} description={filter ? 'No chat matches' : 'No chats yet: message a friend or start a group'} />
            )}
            {list?.map((room) => (
              <div
                key={room.id}
                className={`room-item ${room.id === current ? 'active' : ''}`}
                onClick={() => navigate(`/chats/${room.id}`)}
                data-testid="room-item"
                data-room={room.name}
              >
                <Badge count={room.unreadCount} size="small">
                  <UserAvatar name={room.name} group={room.type === 'group'} src={room.peer?.headPic || undefined} />
                </Badge>
                <div className="meta">
                  <div className="title">
                    <span className="name">{room.name}{room.type === 'group' ? ` (${room.userCount})` : ''}</span>
                    <span className="time">{shortTime(room.updateTime)}</span>
                  </div>
                  <div className="preview">{preview(room.lastMessage, room.type === 'group', me?.id)}</div>
                </div>
              </div>
            ))}
          </div>
        </aside>
      )}
      {showConversation &&
        (current === null ? (
          <div className="empty-pane">
            <Empty description="Pick a chat on the left" />
          </div>
        ) : (
          <Conversation
            key={`${current}@${at ?? ''}`}
            roomId={current}
            at={at}
            listed={currentRoom}
            onBack={narrow ? () => navigate('/chats') : undefined}
            onRead={markRead}
            onLeft={() => {
              navigate('/chats');
              void load();
            }}
          />
        ))}
      <CreateGroupModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => {
          setCreating(false);
          void load();
          navigate(`/chats/${id}`);
        }}
      />
    </>
  );
}
