import { Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { user } from '../api/endpoints';
import { CaptchaField } from '../components/CaptchaButton';
import { useSession } from '../session';
import { submitForm } from './formErrors';
import { emailRules, nickNameRules, passwordRules, usernameRules } from './rules';

interface Values {
  username: string;
  nickName: string;
  password: string;
  confirm: string;
  email: string;
  captcha: string;
}

export function RegisterPage() {
  const [form] = Form.useForm<Values>();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);

  const sendCode = async () => {
    const { email } = await form.validateFields(['email']);
    await user.registerCaptcha(email);
  };

  const submit = (values: Values) =>
    submitForm(form, setBusy, async () => {
      const { confirm: _confirm, ...body } = values;
      await user.register(body, { silent: true });
      const { token, user: profile } = await user.login({ username: values.username, password: values.password });
      signIn(token, profile);
      navigate('/chats', { replace: true });
    });

  return (
    <div className="auth-page">
      <Card className="auth-card">
        <Typography.Title level={3} style={{ textAlign: 'center' }}>Create your account</Typography.Title>
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label="Username" rules={usernameRules}>
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item name="nickName" label="Nickname" rules={nickNameRules}>
            <Input />
          </Form.Item>
          <Form.Item name="password" label="Password" rules={passwordRules}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label="Repeat the password"
            dependencies={['password']}
            rules={[
              { required: true, message: 'Repeat the password' },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  !value || getFieldValue('password') === value
                    ? Promise.resolve()
                    : Promise.reject(new Error('The passwords differ')),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="email" label="E-mail" rules={emailRules}>
            <Input autoComplete="email" />
          </Form.Item>
          <CaptchaField onSend={sendCode} />
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="register-submit">
            Register
          </Button>
        </Form>
        <div style={{ marginTop: 16, textAlign: 'center' }}>
          Already registered? <Link to="/login">Log in</Link>
        </div>
      </Card>
    </div>
  );
}
