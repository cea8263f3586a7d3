import { MessageOutlined, UserAddOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Empty, Input, List, Modal, Popconfirm, Spin, Tabs, Tag } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { friends, rooms, user } from '../api/endpoints';
import { ApiError, isCancelled, latestOnly } from '../api/http';
import type { FriendRequests, UserSummary } from '../api/types';
import { UserAvatar } from '../components/UserAvatar';
import { useLive } from '../live/LiveProvider';
import { useSession } from '../session';

const STATUS = ['pending', 'agreed', 'rejected'];
const STATUS_COLOR = ['processing', 'success', 'default'];

function Person({ person }: { person: UserSummary }) {
  return (
    <List.Item.Meta
      avatar={<UserAvatar name={person.nickName} src={person.headPic || undefined} />}
      title={person.nickName}
      description={`@${person.username}`}
    />
  );
}

export function FriendsPage() {
  const { me, socket } = useSession();
  const { refreshRequests } = useLive();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [list, setList] = useState<UserSummary[] | null>(null);
  const [requests, setRequests] = useState<FriendRequests | null>(null);
  const [filter, setFilter] = useState('');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<UserSummary[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [adding, setAdding] = useState<UserSummary | null>(null);
  const [reason, setReason] = useState('');
  const listRequests = useMemo(() => latestOnly(), []);
  const searchRequests = useMemo(() => latestOnly(), []);

  const load = useCallback(async () => {
    try {
      const [friendPage, requestPage] = await Promise.all([
        friends.list(filter, { signal: listRequests.next() }),
        friends.requests(),
      ]);
      setList(friendPage.items);
      setRequests(requestPage);
    } catch (error) {
      // The toast says why; show what we have rather than a spinner forever.
      if (!isCancelled(error)) setList((current) => current ?? []);
    }
  }, [filter, listRequests]);

  useEffect(() => {
    void load();
  }, [load]);

  // Live (API.md §7): a request arrives, someone agrees, a friendship ends. The events are not
  // replayed, so a reconnect reloads too.
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = socket.on((event) => {
      if (event.kind === 'friendRequest') {
        const request = event.request;
        setRequests((current) =>
          current && !current.toMe.some((r) => r.id === request.id)
            ? { ...current, toMe: [request, ...current.toMe], totalToMe: current.totalToMe + 1 }
            : current,
        );
      } else if (event.kind === 'friendRemoved') {
        setList((current) => current?.filter((f) => f.id !== event.userId) ?? current);
      } else if (!(event.kind === 'friendAdded' || (event.kind === 'status' && event.status === 'open'))) {
        return;
      }
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void loadRef.current(), 100);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [socket]);

  useEffect(() => () => {
    listRequests.cancel();
    searchRequests.cancel();
  }, [listRequests, searchRequests]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      searchRequests.cancel();
      setFound(null);
      return;
    }
    setSearching(true);
    const timer = setTimeout(() => {
      user
        .search(q, { signal: searchRequests.next() })
        .then((page) => setFound(page.items))
        .catch(() => undefined)
        .finally(() => setSearching(false));
    }, 250);
    return () => clearTimeout(timer);
  }, [query, searchRequests]);

  const friendIds = new Set((list ?? []).map((f) => f.id));
  const requestedIds = new Set((requests?.fromMe ?? []).filter((r) => r.status === 0).map((r) => r.toUser.id));
  const pendingCount = (requests?.toMe ?? []).filter((r) => r.status === 0).length;

  const sendRequest = async () => {
    if (!adding) return;
    const person = adding;
    const done = () => {
      setAdding(null);
      setReason('');
      void load();
    };
    try {
      const sent = await friends.add(person.username, reason.trim());
      message.success(sent.status === 1 ? `You and ${person.nickName} are now friends` : 'Request sent');
      // "Requested" at once, before the reload answers.
      setRequests((current) => (current ? { ...current, fromMe: [sent, ...current.fromMe] } : current));
      done();
    } catch (error) {
      // Asking twice is not a mistake worth an error: it is simply still asked (or done).
      if (error instanceof ApiError && error.code === 'request_pending') {
        message.info(`Already requested: waiting for ${person.nickName}`);
        done();
      } else if (error instanceof ApiError && error.code === 'already_friends') {
        message.info(`You and ${person.nickName} are already friends`);
        done();
      } else if (error instanceof Error) {
        message.error(error.message);
      }
    }
  };

  const chat = async (friend: UserSummary) => {
    try {
      const room = await rooms.direct(friend.id);
      navigate(`/chats/${room.id}`);
    } catch {
      // toast shown
    }
  };

  const decide = async (id: number, agree: boolean) => {
    try {
      await (agree ? friends.agree(id) : friends.reject(id));
      message.success(agree ? 'Friend added' : 'Request rejected');
      void load();
      refreshRequests();
    } catch {
      // toast shown
    }
  };

  const remove = async (friend: UserSummary) => {
    try {
      await friends.remove(friend.id);
      message.success(`${friend.nickName} removed`);
      void load();
    } catch {
      // toast shown
    }
  };

  const friendsTab = (
    <>
      <Input.Search placeholder="Filter friends" allowClear onSearch={setFilter} onChange={(e) => !e.target.value && setFilter('')} style={{ marginBottom: 12 }} />
      {list === null ? (
        <Spin />
      ) : (
        <List
          dataSource={list}
          locale={{ emptyText: <Empty description="No friends yet: find people in “Add friends”" /> }}
          renderItem={(friend) => (
            <List.Item
              actions={[
                <Button key="chat" icon={<MessageOutlined />} onClick={() => chat(friend)} data-testid={`chat-${friend.username}`}>Message</Button>,
                <Popconfirm key="remove" title={`Remove ${friend.nickName}?`} onConfirm={() => remove(friend)}>
                  <Button danger>Remove</Button>
                </Popconfirm>,
              ]}
            >
              <Person person={friend} />
            </List.Item>
          )}
        />
      )}
    </>
  );

  const requestsTab = requests === null ? (
    <Spin />
  ) : (
    <>
      <List
        header={<b>To me</b>}
        dataSource={requests.toMe}
        locale={{ emptyText: 'No requests' }}
        renderItem={(request) => (
          <List.Item
            actions={
              request.status === 0
                ? [
                    <Button key="agree" type="primary" onClick={() => decide(request.id, true)} data-testid={`agree-${request.fromUser.username}`}>Agree</Button>,
                    <Button key="reject" onClick={() => decide(request.id, false)}>Reject</Button>,
                  ]
                : [<Tag key="status" color={STATUS_COLOR[request.status]}>{STATUS[request.status]}</Tag>]
            }
          >
            <List.Item.Meta
              avatar={<UserAvatar name={request.fromUser.nickName} src={request.fromUser.headPic || undefined} />}
              title={request.fromUser.nickName}
              description={request.reason || `@${request.fromUser.username} wants to be your friend`}
            />
          </List.Item>
        )}
      />
      <List
        header={<b>From me</b>}
        dataSource={requests.fromMe}
        locale={{ emptyText: 'No requests' }}
        renderItem={(request) => (
          <List.Item actions={[<Tag key="status" color={STATUS_COLOR[request.status]}>{STATUS[request.status]}</Tag>]}>
            <Person person={request.toUser} />
          </List.Item>
        )}
      />
    </>
  );

  const addTab = (
    <>
      <Input.Search
        placeholder="Search by username or nickname"
        allowClear
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        loading={searching}
        style={{ marginBottom: 12 }}
        data-testid="user-search"
      />
      {found === null ? (
        <Empty description="Type a name to find people" />
      ) : (
        <List
          dataSource={found}
          locale={{ emptyText: 'Nobody matches' }}
          renderItem={(person) => (
            <List.Item
              actions={[
                friendIds.has(person.id) ? (
                  <Tag key="friend" color="success">Friend</Tag>
                ) : requestedIds.has(person.id) ? (
                  <Tag key="requested" color="processing" data-testid={`requested-${person.username}`}>Requested</Tag>
                ) : person.id === me?.id ? (
                  <Tag key="me">You</Tag>
                ) : (
                  <Button key="add" icon={<UserAddOutlined />} onClick={() => setAdding(person)} data-testid={`add-${person.username}`}>Add</Button>
                ),
              ]}
            >
              <Person person={person} />
            </List.Item>
          )}
        />
      )}
    </>
  );

  return (
    <div className="page">
      <Card style={{ maxWidth: 720, margin: '0 auto' }}>
        <Tabs
          items={[
            { key: 'friends', label: 'Friends', children: friendsTab },
            { key: 'requests', label: <Badge count={pendingCount} offset={[10, 0]} size="small">Requests</Badge>, children: requestsTab },
            { key: 'add', label: 'Add friends', children: addTab },
          ]}
        />
      </Card>
      <Modal
        open={adding !== null}
        title={adding ? `Add ${adding.nickName}` : ''}
        okText="Send request"
        onOk={sendRequest}
        onCancel={() => setAdding(null)}
        okButtonProps={{ id: 'send-request' }}
      >
        {/* Room below for the "0 / 100" counter, which hangs under the field. */}
        <div style={{ paddingBottom: 20 }}>
          <Input.TextArea
            placeholder={`Hi, I'm ${me?.nickName ?? ''}`}
            maxLength={100}
            showCount
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
      </Modal>
    </div>
  );
}
