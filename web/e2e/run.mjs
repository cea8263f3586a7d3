// End-to-end in Debian's Chromium (never a downloaded browser): a real gateway on port 0 with
// the embedded default, three people in three browser contexts. Codes come from the gateway's
// mail log. Screenshots of the main pages go to docs/screenshots/.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const binary = process.env.GATEWAY_BIN ?? join(root, 'target/debug/gateway');
const shots = join(root, 'docs/screenshots');
const TIMEOUT = 20_000;
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff610000001949444154789c63102bffff9f12cc306ac0a801a3060c17030007f78b1fa727d5c80000000049454e44ae426082',
  'hex',
);

function startGateway() {
  const data = mkdtempSync(join(tmpdir(), 'chat-e2e-'));
  const env = { ...process.env };
  delete env.RUST_LOG; // the gateway's own `log` setting decides
  const child = spawn(binary, [], {
    cwd: data,
    env: {
      ...env,
      CHAT_PORT: '0',
      CHAT_DATA_DIR: data,
      CHAT_BCRYPT_COST: '4',
      CHAT_RATE_LIMITS: 'off',
      CHAT_CAPTCHA_INTERVAL_SECS: '1',
      CHAT_LOG: 'info,sqlx=warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const ready = new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${log}`)), 60_000);
    const read = (chunk) => {
      log += chunk.toString();
      const match = log.match(/listening on http:\/\/[\d.]+:(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`gateway exited (${code}):\n${log}`)));
  });
  return {
    ready,
    stop() {
      child.kill('SIGTERM');
      rmSync(data, { recursive: true, force: true });
    },
    /** The newest code mailed to `address`, waiting for it to appear in the log. */
    async code(address) {
      const deadline = Date.now() + TIMEOUT;
      const needle = `mail to=${address.toLowerCase()} `;
      while (Date.now() < deadline) {
        const line = log.split('\n').reverse().find((l) => l.includes(needle));
        const code = line?.match(/Your code: (\d{6})/)?.[1];
        if (code) return code;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no code mailed to ${address}`);
    },
    forget() {
      log = '';
    },
  };
}

const step = (text) => console.log(`· ${text}`);

/** A screenshot once toasts are gone and nothing is moving. */
async function shot(page, name) {
  await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: TIMEOUT }).catch(() => undefined);
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

async function see(page, text) {
  await page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: TIMEOUT });
}

async function register(page, gateway, base, name) {
  const username = `${name.toLowerCase()}${Date.now().toString(36)}`;
  const email = `${username}@example.com`;
  await page.goto(`${base}/register`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Nickname', { exact: true }).fill(name);
  await page.getByLabel('Password', { exact: true }).fill('secret-pw');
  await page.getByLabel('Repeat the password').fill('secret-pw');
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByTestId('send-code').click();
  await see(page, 'Resend in');
  await page.getByLabel('Code from the e-mail').fill(await gateway.code(email));
  await page.getByTestId('register-submit').click();
  await page.waitForURL(/\/chats$/, { timeout: TIMEOUT });
  return { username, name, page };
}

async function befriend(asker, answerer) {
  await asker.page.getByTestId('nav-friends').click();
  await asker.page.getByRole('tab', { name: 'Add friends' }).click();
  await asker.page.getByPlaceholder('Search by username or nickname').fill(answerer.username);
  await asker.page.getByTestId(`add-${answerer.username}`).click();
  await asker.page.locator('#send-request').click();
  await see(asker.page, 'Request sent');
  await answerer.page.getByTestId('nav-friends').click();
  await answerer.page.getByRole('tab', { name: /Requests/ }).click();
  await answerer.page.getByTestId(`agree-${asker.username}`).click();
  await see(answerer.page, 'Friend added');
}

async function openRoom(person, name) {
  await person.page.getByTestId('nav-chats').click();
  await person.page.locator(`[data-testid="room-item"][data-room="${name}"]`).click();
  await person.page.getByTestId('room-title').filter({ hasText: name }).waitFor({ timeout: TIMEOUT });
}

async function say(person, text) {
  await person.page.getByTestId('composer').fill(text);
  await person.page.getByTestId('composer').press('Enter');
  await person.page.getByTestId('message-text').filter({ hasText: text }).waitFor({ timeout: TIMEOUT });
}

async function sees(person, text) {
  await person.page.getByTestId('message-text').filter({ hasText: text }).first().waitFor({ timeout: TIMEOUT });
}

async function main() {
  const gateway = startGateway();
  let browser;
  try {
    browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    const port = await gateway.ready;
    const base = `http://127.0.0.1:${port}`;
    step(`gateway on ${base}`);
    mkdirSync(shots, { recursive: true });
    const context = async () => (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    const [pa, pb, pc] = [await context(), await context(), await context()];
    for (const page of [pa, pb, pc]) page.setDefaultTimeout(TIMEOUT);

    await pa.goto(`${base}/login`);
    await shot(pa, 'login');
    const alice = await register(pa, gateway, base, 'Alice');
    const bob = await register(pb, gateway, base, 'Bob');
    step('two people registered through the form with mailed codes');

    await befriend(alice, bob);
    step('friend request sent and agreed');

    await bob.page.getByRole('tab', { name: 'Friends', exact: true }).click();
    await bob.page.getByTestId(`chat-${alice.username}`).click();
    await bob.page.getByTestId('room-title').filter({ hasText: 'Alice' }).waitFor();
    await say(bob, 'Hi Alice 👋 <b>not bold</b>');
    await openRoom(alice, 'Bob');
    await sees(alice, 'Hi Alice 👋 <b>not bold</b>');
    await say(alice, 'Hello Bob!');
    await sees(bob, 'Hello Bob!');
    step('a direct chat, live both ways');

    await bob.page.reload();
    await sees(bob, 'Hi Alice 👋');
    await sees(bob, 'Hello Bob!');
    step('history after a reload');

    await alice.page.getByTestId('nav-profile').click();
    await see(alice.page, 'Your profile');
    await alice.page.locator('input[type="file"]').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    await see(alice.page, 'Avatar uploaded');
    await alice.page.getByTestId('profile-save').click();
    await see(alice.page, 'Profile saved');
    await bob.page.reload();
    const listed = bob.page.locator('[data-testid="room-item"][data-room="Alice"] img');
    await listed.waitFor({ timeout: TIMEOUT });
    await bob.page.locator('.conversation .header img').waitFor({ timeout: TIMEOUT });
    step("a direct chat shows the friend's picture in the list and the header");
    await openRoom(alice, 'Bob');

    await alice.page.locator('input[type="file"]').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    const image = bob.page.locator('[data-testid="message"] img').first();
    await image.waitFor({ timeout: TIMEOUT });
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth === 16, await image.elementHandle());
    step('an image uploaded by one is seen by the other');
    await shot(alice.page, 'chat');

    const aliceMessage = bob.page.locator('[data-testid="message"]').filter({ hasText: 'Hello Bob!' });
    await aliceMessage.getByTestId('favorite').click();
    await see(bob.page, 'Saved to favorites');
    await bob.page.getByTestId('nav-favorites').click();
    await bob.page.getByTestId('favorite-item').filter({ hasText: 'Hello Bob!' }).waitFor();
    await shot(bob.page, 'favorites');
    step('a favorite is found on the favorites page');

    const carol = await register(pc, gateway, base, 'Carol');
    await befriend(alice, carol);
    await alice.page.getByTestId('nav-chats').click();
    await alice.page.getByTestId('new-group').click();
    await alice.page.getByTestId('group-name').fill('Trio');
    await alice.page.getByTestId('group-members').click();
    await alice.page.locator('.ant-select-item-option').filter({ hasText: 'Bob' }).click();
    await alice.page.locator('.ant-select-item-option').filter({ hasText: 'Carol' }).click();
    await alice.page.keyboard.press('Escape');
    await alice.page.locator('#create-group').click();
    await alice.page.getByTestId('room-title').filter({ hasText: 'Trio' }).waitFor();
    await say(alice, 'Welcome to the trio');
    await openRoom(bob, 'Trio');
    await openRoom(carol, 'Trio');
    await sees(bob, 'Welcome to the trio');
    await sees(carol, 'Welcome to the trio');
    await say(carol, 'Glad to be here');
    await sees(alice, 'Glad to be here');
    await sees(bob, 'Glad to be here');
    step('a group of three chats');
    await alice.page.getByTestId('members').click();
    await alice.page.locator('.ant-drawer-open').waitFor();
    await see(alice.page, 'owner');
    await shot(alice.page, 'group-members');
    await alice.page.keyboard.press('Escape');

    await bob.page.getByTestId('nav-friends').click();
    await shot(bob.page, 'friends');
    await bob.page.getByTestId('nav-profile').click();
    await see(bob.page, 'Your profile');
    await shot(bob.page, 'profile');

    await carol.page.setViewportSize({ width: 360, height: 740 });
    await carol.page.getByTestId('nav-chats').click();
    await shot(carol.page, 'mobile-rooms');
    await carol.page.locator('[data-testid="room-item"][data-room="Trio"]').click();
    await sees(carol, 'Glad to be here');
    await shot(carol.page, 'mobile-chat');
    step('works at 360 px wide');
    console.log('e2e: all green');
  } finally {
    await browser?.close();
    gateway.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
