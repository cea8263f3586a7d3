import { App, Button, Drawer, List, Popconfirm, Select, Space, Spin, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { friends, rooms } from '../../api/endpoints';
import type { RoomInfo, UserSummary } from '../../api/types';
import { UserAvatar } from '../../components/UserAvatar';

/** The members come from the conversation, which keeps them live. */
export function GroupDrawer({ open, room, members, onClose, onChanged, onLeft }: {
  open: boolean;
  room: RoomInfo;
  members: UserSummary[] | null;
  onClose: () => void;
  onChanged: (room: RoomInfo) => void;
  onLeft: () => void;
}) {
  const { message } = App.useApp();
  const [myFriends, setMyFriends] = useState<UserSummary[]>([]);
  const [invitee, setInvitee] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const abort = new AbortController();
    friends
      .list(undefined, { signal: abort.signal })
      .then((friendPage) => setMyFriends(friendPage.items))
      .catch(() => undefined);
    return () => abort.abort();
  }, [open]);

  const memberIds = new Set((members ?? []).map((m) => m.id));
  const candidates = myFriends.filter((f) => !memberIds.has(f.id));

  const invite = async () => {
    if (!invitee) return;
    try {
      onChanged(await rooms.invite(room.id, invitee));
      setInvitee(null);
      message.success('Added to the group');
    } catch {
      // toast shown
    }
  };

  const leave = async () => {
    try {
      await rooms.exit(room.id);
      message.success(`You left ${room.name}`);
      onClose();
      onLeft();
    } catch {
      // toast shown
    }
  };

  return (
    <Drawer open={open} onClose={onClose} title={`${room.name}: members`} width={360}>
      <Space.Compact style={{ width: '100%', marginBottom: 16 }}>
        <Select
          style={{ flex: 1 }}
          placeholder={candidates.length ? 'Invite a friend' : 'All your friends are here'}
          value={invitee}
          onChange={setInvitee}
          options={candidates.map((f) => ({ value: f.username, label: f.nickName }))}
          disabled={!candidates.length}
          data-testid="invite-select"
        />
        <Button type="primary" onClick={invite} disabled={!invitee}>Invite</Button>
      </Space.Compact>
      {members === null ? (
        <Spin />
      ) : (
        <List
          dataSource={members}
          renderItem={(member) => (
            <List.Item extra={member.id === room.ownerId ? <Tag color="gold">owner</Tag> : null}>
              <List.Item.Meta
                avatar={<UserAvatar name={member.nickName} src={member.headPic || undefined} />}
                title={member.nickName}
                description={`@${member.username}`}
              />
            </List.Item>
          )}
        />
      )}
      <Popconfirm title="Leave this group?" onConfirm={leave}>
        <Button danger block style={{ marginTop: 16 }}>Leave the group</Button>
      </Popconfirm>
    </Drawer>
  );
}
