import { Form, Input, Modal, Select } from 'antd';
import { useEffect, useState } from 'react';
import { friends, rooms } from '../../api/endpoints';
import type { UserSummary } from '../../api/types';

export function CreateGroupModal({ open, onClose, onCreated }: {
  open: boolean;
  onClose: () => void;
  onCreated: (roomId: number) => void;
}) {
  const [form] = Form.useForm<{ name: string; memberIds: number[] }>();
  const [myFriends, setMyFriends] = useState<UserSummary[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    const abort = new AbortController();
    friends
      .list(undefined, { signal: abort.signal })
      .then((page) => setMyFriends(page.items))
      .catch(() => undefined);
    return () => abort.abort();
  }, [open, form]);

  const create = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const room = await rooms.createGroup(values.name.trim(), values.memberIds ?? []);
      onCreated(room.id);
    } catch {
      // toast shown
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title="New group" okText="Create" onOk={create} onCancel={onClose} confirmLoading={busy} okButtonProps={{ id: 'create-group' }}>
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true, message: 'Name the group' }, { max: 50, message: 'At most 50 characters' }]}>
          <Input data-testid="group-name" />
        </Form.Item>
        <Form.Item name="memberIds" label="Friends to add">
          <Select
            mode="multiple"
            placeholder={myFriends.length ? 'Pick friends' : 'No friends yet'}
            options={myFriends.map((f) => ({ value: f.id, label: f.nickName }))}
            optionFilterProp="label"
            data-testid="group-members"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
