import { UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Form, Input, Progress, Space, Switch, Upload } from 'antd';
import { useState } from 'react';
import { user } from '../api/endpoints';
import { uploadFile } from '../api/upload';
import { CaptchaField } from '../components/CaptchaButton';
import { UserAvatar } from '../components/UserAvatar';
import { NOTIFY_KEY, notificationsOn } from '../live/unread';
import { useSession } from '../session';
import { submitForm } from './formErrors';
import { emailRules, nickNameRules } from './rules';

const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp'];

interface Values {
  nickName: string;
  email: string;
  captcha: string;
}

/** Desktop notifications for messages that arrive while the tab is hidden: asked for here. */
function NotificationSwitch() {
  const [on, setOn] = useState(notificationsOn);
  if (typeof Notification === 'undefined') return null;
  const blocked = Notification.permission === 'denied';
  const change = async (wanted: boolean) => {
    if (wanted && Notification.permission !== 'granted') await Notification.requestPermission();
    const granted = Notification.permission === 'granted';
    localStorage.setItem(NOTIFY_KEY, wanted && granted ? 'on' : 'off');
    setOn(notificationsOn());
  };
  return (
    <Space style={{ marginBottom: 16 }}>
      <Switch checked={on} disabled={blocked} onChange={(wanted) => void change(wanted)} aria-label="Desktop notifications" data-testid="notifications" />
      {blocked ? 'Notifications are blocked in the browser settings' : 'Notify me of new messages while this tab is hidden'}
    </Space>
  );
}

export function ProfilePage() {
  const { me, setMe } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [headPic, setHeadPic] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  // Only a new e-mail needs a code, mailed to that new address (API.md §7).
  const email = Form.useWatch('email', form) ?? me?.email ?? '';
  if (!me) return null;
  const emailChanged = email.trim().toLowerCase() !== me.email;

  const pickAvatar = async (file: File) => {
    if (!AVATAR_TYPES.includes(file.type)) {
      message.error('Choose a PNG, JPEG, GIF, WebP, AVIF or BMP image.');
      return;
    }
    if (file.size > 2 * 1024 * 1024) {
      message.error('An avatar can be at most 2 MiB.');
      return;
    }
    setProgress(0);
    try {
      setHeadPic(await uploadFile(file, 'avatar', setProgress));
      message.info('Avatar uploaded. Save to use it.');
    } catch (error) {
      if (error instanceof Error) message.error(error.message);
    } finally {
      setProgress(null);
    }
  };

  const save = (values: Values) =>
    submitForm(form, setBusy, async () => {
      const body: { nickName?: string; email?: string; headPic?: string; captcha?: string } = {};
      if (values.nickName !== me.nickName) body.nickName = values.nickName;
      if (values.email.trim().toLowerCase() !== me.email) {
        body.email = values.email;
        body.captcha = values.captcha;
      }
      if (headPic !== null) body.headPic = headPic;
      const updated = await user.update(body, { silent: true });
      setMe(updated);
      setHeadPic(null);
      form.setFieldValue('captcha', '');
      message.success('Profile saved');
    });

  return (
    <div className="page">
      <Card title="Your profile" style={{ maxWidth: 560, margin: '0 auto' }}>
        <Space align="center" size="large" style={{ marginBottom: 16 }}>
          <UserAvatar name={me.nickName} src={headPic ?? (me.headPic || undefined)} size={72} />
          <Space direction="vertical">
            <Upload accept={AVATAR_TYPES.join(',')} showUploadList={false} beforeUpload={(file) => { void pickAvatar(file); return false; }}>
              <Button icon={<UploadOutlined />} data-testid="avatar-upload">Change avatar</Button>
            </Upload>
            {progress !== null && <Progress percent={progress} size="small" style={{ width: 160 }} />}
          </Space>
        </Space>
        <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
          <Descriptions.Item label="Username">{me.username}</Descriptions.Item>
          <Descriptions.Item label="Member since">{new Date(me.createTime).toLocaleDateString()}</Descriptions.Item>
        </Descriptions>
        <NotificationSwitch />
        <Form form={form} layout="vertical" initialValues={{ nickName: me.nickName, email: me.email }} onFinish={save} requiredMark={false}>
          <Form.Item name="nickName" label="Nickname" rules={nickNameRules}>
            <Input />
          </Form.Item>
          <Form.Item name="email" label="E-mail" rules={emailRules} extra="A new address needs the code we mail to it.">
            <Input />
          </Form.Item>
          {emailChanged && <CaptchaField onSend={() => user.updateCaptcha(email.trim())} />}
          <Button type="primary" htmlType="submit" loading={busy} data-testid="profile-save">
            Save
          </Button>
        </Form>
      </Card>
    </div>
  );
}
