import { MessageOutlined, UserAddOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Empty, Input, List, Modal, Popconfirm, Spin, Tabs, Tag } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { friends, rooms, user } from '../api/endpoints';
import { isCancelled, latestOnly } from '../api/http';
import type { FriendRequests, UserSummary } from '../api/types';
import { UserAvatar } from '../components/UserAvatar';
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
  const { me } = useSession();
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
  const pendingCount = (requests?.toMe ?? []).filter((r) => r.status === 0).length;

  const sendRequest = async () => {
    if (!adding) return;
    try {
      const sent = await friends.add(adding.username, reason.trim());
      message.success(sent.status === 1 ? `You and ${adding.nickName} are now friends` : 'Request sent');
      setAdding(null);
      setReason('');
      void load();
    } catch {
      // toast shown
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
        <Input.TextArea
          placeholder={`Hi, I'm ${me?.nickName ?? ''}`}
          maxLength={100}
          showCount
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </div>
  );
}
