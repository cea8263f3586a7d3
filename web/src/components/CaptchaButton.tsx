import { Button, Form, Input, Space } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError } from '../api/http';
import { captchaRules } from '../pages/rules';

/** "Send code", then a 60 s countdown (or the server's Retry-After) before it can send again. */
export function CaptchaButton({ onSend, disabled }: { onSend: () => Promise<unknown>; disabled?: boolean }) {
  const [left, setLeft] = useState(0);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((value) => value - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);

  const send = async () => {
    setSending(true);
    try {
      await onSend();
      setLeft(60);
    } catch (error) {
      if (error instanceof ApiError && error.retryAfter) setLeft(error.retryAfter);
    } finally {
      setSending(false);
    }
  };

  return (
    <Button onClick={send} loading={sending} disabled={disabled || left > 0} data-testid="send-code">
      {left > 0 ? `Resend in ${left}s` : 'Send code'}
    </Button>
  );
}

/** The "code from the e-mail" field with its send button, as every form that needs one has it. */
export function CaptchaField({ onSend }: { onSend: () => Promise<unknown> }) {
  return (
    <Form.Item label="Code from the e-mail" required htmlFor="captcha">
      <Space.Compact style={{ width: '100%' }}>
        <Form.Item name="captcha" noStyle rules={captchaRules}>
          <Input id="captcha" inputMode="numeric" maxLength={6} autoComplete="one-time-code" />
        </Form.Item>
        <CaptchaButton onSend={onSend} />
      </Space.Compact>
    </Form.Item>
  );
}
