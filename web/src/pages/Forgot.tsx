import { App, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { user } from '../api/endpoints';
import { CaptchaField } from '../components/CaptchaButton';
import { submitForm } from './formErrors';
import { emailRules, passwordRules, usernameRules } from './rules';

interface Values {
  username: string;
  email: string;
  password: string;
  captcha: string;
}

export function ForgotPage() {
  const [form] = Form.useForm<Values>();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);

  const sendCode = async () => {
    const { email } = await form.validateFields(['email']);
    await user.passwordCaptcha(email);
    message.info('If the address belongs to an account, a code is on its way.');
  };

  const submit = (values: Values) =>
    submitForm(form, setBusy, async () => {
      await user.resetPassword(values, { silent: true });
      message.success('Password changed. Log in with the new one.');
      navigate('/login', { replace: true });
    });

  return (
    <div className="auth-page">
      <Card className="auth-card">
        <Typography.Title level={3} style={{ textAlign: 'center' }}>Reset your password</Typography.Title>
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label="Username" rules={usernameRules}>
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item name="email" label="E-mail of the account" rules={emailRules}>
            <Input autoComplete="email" />
          </Form.Item>
          <CaptchaField onSend={sendCode} />
          <Form.Item name="password" label="New password" rules={passwordRules}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            Change password
          </Button>
        </Form>
        <div style={{ marginTop: 16, textAlign: 'center' }}>
          <Link to="/login">Back to log in</Link>
        </div>
      </Card>
    </div>
  );
}
