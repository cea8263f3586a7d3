// End-to-end in Debian's Chromium (never a downloaded browser): a real gateway on a free port with
// the embedded default, three people in three browser contexts. Codes come from the gateway's
// mail log. The gateway is stopped and started again mid-journey on the same port and data (the
// outbox and the reconnect). Screenshots of the main pages go to docs/screenshots/.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
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

/** A port free right now (the gateway keeps it across its restart, so clients reconnect). */
async function freePort() {
  const server = createServer();
  await new Promise((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address();
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

function startGateway(port) {
  const data = mkdtempSync(join(tmpdir(), 'chat-e2e-'));
  const env = { ...process.env };
  delete env.RUST_LOG; // the gateway's own `log` setting decides
  let log = '';
  let child = null;
  const launch = () => {
    child = spawn(binary, [], {
      cwd: data,
      env: {
        ...env,
        CHAT_PORT: String(port),
        CHAT_DATA_DIR: data,
        CHAT_BCRYPT_COST: '4',
        CHAT_RATE_LIMITS: 'off',
        CHAT_CAPTCHA_INTERVAL_SECS: '1',
        CHAT_LOG: 'info,sqlx=warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = log.length;
    const running = child;
    return new Promise((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${log}`)), 60_000);
      const read = (chunk) => {
        log += chunk.toString();
        const match = log.slice(started).match(/listening on http:\/\/[\d.]+:(\d+)/);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      };
      running.stdout.on('data', read);
      running.stderr.on('data', read);
      running.on('exit', (code) => reject(new Error(`gateway exited (${code}):\n${log}`)));
    });
  };
  /** Ends the process and waits until it is gone (its port is free again). */
  const halt = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise((resolveExit) => running.once('exit', resolveExit));
    running.kill('SIGTERM');
    await gone;
  };
  return {
    ready: launch(),
    /** The same gateway again: same port, same data directory (accounts, tokens, messages). */
    async restart() {
      await halt();
      return launch();
    },
    halt,
    async stop() {
      await halt();
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
  };
}

/** A plain PNG of the given size (a photo-sized image, taller than the view's bottom slack). */
function png(width, height) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x5a)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

const step = (text) => console.log(`· ${text}`);

/** A screenshot once toasts are gone and nothing is moving. */
async function shot(page, name) {
  await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: TIMEOUT }).catch(() => undefined);
  // No tooltip from where the last click left the pointer.
  const size = page.viewportSize();
  if (size) await page.mouse.move(size.width - 1, 1);
  await page.locator('.ant-tooltip').filter({ visible: true }).first().waitFor({ state: 'hidden' }).catch(() => undefined);
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Login through the form (a second device of someone registered). */
async function logIn(page, base, person) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username', { exact: true }).fill(person.username);
  await page.getByLabel('Password', { exact: true }).fill('secret-pw');
  await page.getByRole('button', { name: /log in/i }).click();
  await page.waitForURL(/\/chats$/, { timeout: TIMEOUT });
}

/** A phone: taps leave no tooltip behind, the next tap works, logging out asks first. */
async function onAPhone(browser, base, person) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await logIn(page, base, person);
  if (await page.evaluate(() => matchMedia('(hover: hover)').matches)) throw new Error('the phone has hover');
  await page.getByTestId('nav-friends').tap();
  await page.waitForURL(/\/friends$/);
  if ((await page.locator('.ant-tooltip').filter({ visible: true }).count()) > 0) throw new Error('a tooltip after a tap');
  await page.getByTestId('nav-favorites').tap();
  await page.waitForURL(/\/favorites$/);
  await page.getByTestId('nav-chats').tap();
  await page.locator('[data-testid="room-item"]').first().tap();
  const hint = await page.getByTestId('composer').evaluate((el) => [el.getAttribute('placeholder'), el.clientHeight]);
  if (hint[1] > 40) throw new Error(`the composer is ${hint[1]} px high at 360 px ("${hint[0]}")`);
  await page.getByTestId('logout').tap();
  await page.locator('#logout-confirm').waitFor();
  if (!page.url().includes('/chats')) throw new Error('logged out without asking');
  await page.locator('#logout-confirm').tap();
  await page.waitForURL(/\/login$/);
  await context.close();
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

/**
 * A friend request, live on both sides: the answerer (elsewhere in the app) gets a badge on the
 * Friends icon, the asker's search says "Requested", and after the agree the asker's friend list
 * shows the answerer without leaving the page.
 */
async function befriend(asker, answerer, badgeShot) {
  await answerer.page.getByTestId('nav-chats').click();
  await asker.page.getByTestId('nav-friends').click();
  await asker.page.getByRole('tab', { name: 'Add friends' }).click();
  await asker.page.getByPlaceholder('Search by username or nickname').fill(answerer.username);
  await asker.page.getByTestId(`add-${answerer.username}`).click();
  await asker.page.locator('.ant-modal .ant-input-data-count').waitFor();
  await asker.page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  const counter = await asker.page.locator('.ant-modal .ant-input-data-count').boundingBox();
  const button = await asker.page.locator('#send-request').boundingBox();
  if (counter && button && counter.y + counter.height > button.y) {
    await asker.page.screenshot({ path: join(tmpdir(), 'reason-counter.png') });
    throw new Error(`the reason counter is under the buttons: ${JSON.stringify({ counter, button })}`);
  }
  await asker.page.locator('#send-request').click();
  await see(asker.page, 'Request sent');
  await asker.page.getByTestId(`requested-${answerer.username}`).waitFor();
  const badge = answerer.page.getByTestId('badge-friends');
  await badge.filter({ hasText: '1' }).waitFor();
  if (badgeShot) await shot(answerer.page, badgeShot);
  await answerer.page.getByTestId('nav-friends').click();
  await answerer.page.getByRole('tab', { name: /Requests/ }).click();
  await answerer.page.getByTestId(`agree-${asker.username}`).click();
  await see(answerer.page, 'Friend added');
  await badge.waitFor({ state: 'detached' });
  await asker.page.getByRole('tab', { name: 'Friends', exact: true }).click();
  await asker.page.getByTestId(`chat-${answerer.username}`).waitFor();
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

/** `count` messages "<text> 1".."<text> N" into the room the person has open, over HTTP. */
async function postMany(person, count, text) {
  const room = Number(person.page.url().match(/\/chats\/(\d+)/)[1]);
  await person.page.evaluate(async ({ room, count, text }) => {
    for (let i = 1; i <= count; i += 1) {
      const response = await fetch(`/chatroom/${room}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('chat.token')}` },
        body: JSON.stringify({ clientId: `${text.replace(/\W/g, '')}-${i}`, type: 'text', content: `${text} ${i}` }),
      });
      if (!response.ok) throw new Error(`send ${i}: ${response.status}`);
    }
  }, { room, count, text });
}

/** Exactly one copy of a message in the conversation, and nothing of it still pending. */
async function seesOnce(person, text) {
  await sees(person, text);
  const copies = await person.page.getByTestId('message-text').filter({ hasText: text }).count();
  if (copies !== 1) throw new Error(`${person.name} sees "${text}" ${copies} times`);
  await person.page.getByTestId('pending').filter({ hasText: text }).waitFor({ state: 'detached' });
}

/** The gateway stops: the banner says so, a message waits, and it goes out once it is back. */
async function offlineAndBack(gateway, base, alice, bob) {
  await gateway.halt();
  await alice.page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();
  await bob.page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor();
  step('the gateway stops: both see "Offline", no toasts');
  await alice.page.getByTestId('composer').fill('Typed while offline');
  await alice.page.getByTestId('composer').press('Enter');
  await alice.page.locator('[data-testid="pending"][data-status="waiting"]').filter({ hasText: 'Typed while offline' }).waitFor();
  await bob.page.getByTestId('composer').fill('Bob offline too');
  await bob.page.getByTestId('composer').press('Enter');
  await bob.page.locator('[data-testid="pending"][data-status="waiting"]').waitFor();
  if ((await alice.page.locator('.ant-message-notice').count()) > 0) throw new Error('a toast while offline');
  await shot(alice.page, 'offline');
  // Alice's tab closes with her message unsent: only the outbox in localStorage has it.
  const context = alice.page.context();
  await alice.page.close();
  await gateway.restart();
  await bob.page.getByTestId('connection').filter({ hasText: 'Back online' }).waitFor();
  step('the gateway is back on the same port: "Back online"');
  alice.page = await context.newPage();
  alice.page.setDefaultTimeout(TIMEOUT);
  await alice.page.goto(`${base}/chats`);
  await openRoom(alice, 'Bob');
  await seesOnce(bob, 'Typed while offline');
  await seesOnce(alice, 'Typed while offline');
  await seesOnce(alice, 'Bob offline too');
  await seesOnce(bob, 'Bob offline too');
  await bob.page.reload();
  await seesOnce(bob, 'Typed while offline');
  await seesOnce(bob, 'Bob offline too');
  step('messages sent offline (one from a closed tab) arrive by themselves, each once');
}

async function main() {
  const gateway = startGateway(await freePort());
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

    await befriend(alice, bob, 'friend-request-badge');
    step('a friend request: live badge on Friends, "Requested" in the search, live friend list after the agree');

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

    await offlineAndBack(gateway, base, alice, bob);

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

    // Images arrive slowly (as from S3 over a real network): the view must wait for them.
    const slowImages = async (route) => {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 400));
      await route.continue();
    };
    await bob.page.route('**/storage/object/attachment/**', slowImages);
    await postMany(alice, 12, 'Filler');
    await sees(bob, 'Filler 12');
    await alice.page.locator('input[type="file"]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png(300, 200) });
    const image = bob.page.locator('[data-testid="message"] .ant-image-img').first();
    await image.waitFor({ timeout: TIMEOUT });
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth === 300, await image.elementHandle());
    step('an image uploaded by one is seen by the other');
    const slack = () => bob.page.getByTestId('messages').evaluate((box) => box.scrollHeight - box.scrollTop - box.clientHeight);
    if ((await slack()) > 2) throw new Error(`the view is ${await slack()} px short of the bottom after the image loaded`);
    await bob.page.reload();
    await image.waitFor();
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth === 300, await image.elementHandle());
    if ((await slack()) > 2) throw new Error(`opened ${await slack()} px short of the bottom (newest is an image)`);
    await bob.page.unroute('**/storage/object/attachment/**', slowImages);
    step('the view stays at the bottom as an image loads, new or on opening');
    await alice.page.locator('input[type="file"]').setInputFiles({ name: 'Trip plan  v2.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(1234, 7) });
    const file = bob.page.getByTestId('message-file').filter({ hasText: 'Trip plan v2.pdf' });
    await file.getByTestId('file-size').filter({ hasText: '1.2 KB' }).waitFor({ timeout: TIMEOUT });
    step('a file keeps the spaces of its name and shows its size');
    await shot(alice.page, 'chat');

    const aliceMessage = bob.page.locator('[data-testid="message"]').filter({ hasText: 'Hello Bob!' });
    const star = aliceMessage.getByTestId('favorite');
    await star.click();
    await see(bob.page, 'Saved to favorites');
    await aliceMessage.locator('[data-testid="favorite"][data-saved="true"]').waitFor();
    await star.click();
    await see(bob.page, 'Removed from favorites');
    await aliceMessage.locator('[data-testid="favorite"][data-saved="false"]').waitFor();
    await star.click();
    await aliceMessage.locator('[data-testid="favorite"][data-saved="true"]').waitFor();
    await bob.page.reload();
    await aliceMessage.locator('[data-testid="favorite"][data-saved="true"]').waitFor();
    step('the star shows whether a message is saved and toggles it');
    await bob.page.getByTestId('nav-favorites').click();
    const saved = bob.page.getByTestId('favorite-item').filter({ hasText: 'Hello Bob!' });
    await saved.waitFor();
    if (await saved.getByText('Alice · Alice').count()) throw new Error('a direct chat labelled "Alice · Alice"');
    await shot(bob.page, 'favorites');
    await saved.getByTestId('open-favorite').click();
    await bob.page.waitForURL(/\/chats\/\d+\?at=\d+$/);
    const opened = bob.page.locator('[data-testid="message"].highlight').filter({ hasText: 'Hello Bob!' });
    await opened.waitFor();
    if (!(await opened.evaluate((el) => {
      const box = el.closest('[data-testid="messages"]').getBoundingClientRect();
      const at = el.getBoundingClientRect();
      return at.top >= box.top && at.bottom <= box.bottom;
    }))) throw new Error('the saved message is not in view');
    step('a favorite opens its chat at the saved message');

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
    await bob.page.getByTestId('badge-chats').filter({ hasText: '1' }).waitFor();
    await bob.page.waitForFunction(() => document.title === '(1) Chat');
    step('a message in another room: a badge on the Chats icon and "(1) Chat" in the tab title');
    await openRoom(bob, 'Trio');
    await bob.page.getByTestId('badge-chats').waitFor({ state: 'detached' });
    await bob.page.waitForFunction(() => document.title === 'Chat');
    await openRoom(carol, 'Trio');
    await sees(bob, 'Welcome to the trio');
    await sees(carol, 'Welcome to the trio');
    await say(carol, 'Glad to be here');
    await sees(alice, 'Glad to be here');
    await sees(bob, 'Glad to be here');
    step('a group of three chats');

    await bob.page.getByTestId('nav-favorites').click();
    // Posted only once Bob's chat view is gone: while it is mounted its room counts as read.
    await bob.page.getByTestId('messages').waitFor({ state: 'detached' });
    await postMany(carol, 40, 'Batch message');
    await bob.page.getByTestId('badge-chats').filter({ hasText: '40' }).waitFor();
    await openRoom(bob, 'Trio');
    const divider = bob.page.getByTestId('unread-divider');
    await divider.waitFor();
    const inView = (locator) => locator.evaluate((el) => {
      const box = el.closest('[data-testid="messages"]').getBoundingClientRect();
      const at = el.getBoundingClientRect();
      return at.top >= box.top - 1 && at.bottom <= box.bottom + 1;
    });
    if (!(await inView(divider))) throw new Error('the unread divider is not in view');
    const last = bob.page.getByTestId('message-text').filter({ hasText: 'Batch message 40' });
    if (await inView(last)) throw new Error('opened at the newest, not at the first unread');
    await shot(bob.page, 'unread-divider');
    await bob.page.getByTestId('jump-down').waitFor();
    step('40 unread: the chat opens at the first with an "Unread messages" divider');
    await say(carol, 'Fresh one');
    await bob.page.getByTestId('jump-down').filter({ hasText: '1 new message' }).waitFor();
    if ((await bob.page.getByTestId('badge-chats').count()) === 0) throw new Error('unseen messages counted as read');
    await bob.page.getByTestId('jump-down').click();
    await sees(bob, 'Fresh one');
    await bob.page.getByTestId('badge-chats').waitFor({ state: 'detached' });
    await bob.page.getByTestId('jump-down').waitFor({ state: 'detached' });
    step('scrolled up: "1 new message" below; read only once seen');
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
    await sees(carol, 'Fresh one');
    await shot(carol.page, 'mobile-chat');
    step('works at 360 px wide');
    await onAPhone(browser, base, carol);
    step('on a touch screen: no tooltip left by a tap, a one-line composer, log out asks first');

    await openRoom(alice, 'Trio');
    await carol.page.getByTestId('members').click();
    await carol.page.getByRole('button', { name: 'Leave the group' }).click();
    await carol.page.locator('.ant-popconfirm').getByRole('button', { name: 'OK' }).click();
    await carol.page.waitForURL(/\/chats$/);
    await alice.page.getByTestId('member-line').filter({ hasText: 'Carol left' }).waitFor();
    await alice.page.getByTestId('room-title').filter({ hasText: 'Trio (2)' }).waitFor();
    await bob.page.getByTestId('nav-chats').click();
    await bob.page.locator('[data-testid="room-item"][data-room="Trio"]').filter({ hasText: 'Trio (2)' }).waitFor();
    step('a member leaves: "Carol left" and the counts in header and list, live');
    await alice.page.getByTestId('members').click();
    await alice.page.getByTestId('invite-select').click();
    await alice.page.locator('.ant-select-item-option').filter({ hasText: 'Carol', visible: true }).click();
    await alice.page.getByRole('button', { name: 'Invite' }).click();
    await see(alice.page, 'Added to the group');
    await alice.page.locator('.ant-drawer-close').click();
    await alice.page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
    await alice.page.getByTestId('member-line').filter({ hasText: 'Carol joined' }).waitFor();
    await alice.page.getByTestId('room-title').filter({ hasText: 'Trio (3)' }).waitFor();
    await bob.page.locator('[data-testid="room-item"][data-room="Trio"]').filter({ hasText: 'Trio (3)' }).waitFor();
    await carol.page.locator('[data-testid="room-item"][data-room="Trio"]').waitFor();
    await shot(alice.page, 'member-lines');
    step('a member is added back: "Carol joined", counts live, the room back in her list');

    await bob.page.getByTestId('nav-profile').click();
    await see(bob.page, 'Your profile');
    await bob.page.getByLabel('Nickname', { exact: true }).fill('Bobby');
    if (await bob.page.getByLabel('Code from the e-mail').count()) throw new Error('a code asked for a nickname');
    await bob.page.getByTestId('profile-save').click();
    await see(bob.page, 'Profile saved');
    const newEmail = `${bob.username}.new@example.com`;
    await bob.page.getByLabel('E-mail', { exact: true }).fill(newEmail);
    await bob.page.getByTestId('send-code').click();
    await see(bob.page, 'Resend in');
    await bob.page.getByLabel('Code from the e-mail').fill(await gateway.code(newEmail));
    await bob.page.getByTestId('profile-save').click();
    await bob.page.getByLabel('Code from the e-mail').waitFor({ state: 'detached' });
    await bob.page.reload();
    await bob.page.getByLabel('E-mail', { exact: true }).and(bob.page.locator(`[value="${newEmail}"]`)).waitFor();
    await bob.page.getByLabel('Nickname', { exact: true }).and(bob.page.locator('[value="Bobby"]')).waitFor();
    step('profile: a new nickname needs no code; a new e-mail needs the one mailed to it');

    await bob.page.context().grantPermissions(['notifications'], { origin: base });
    await bob.page.getByTestId('notifications').click();
    await bob.page.locator('[data-testid="notifications"][aria-checked="true"]').waitFor();
    // The tab goes to the background; notifications are recorded instead of shown.
    await bob.page.evaluate(() => {
      window.shownNotes = [];
      window.Notification = class {
        static permission = 'granted';
        constructor(title, options) {
          window.shownNotes.push({ title, body: options?.body });
        }
        close() {}
      };
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await say(alice, 'Anyone around?');
    await bob.page.waitForFunction(() => window.shownNotes.some((n) => n.title === 'Alice' && n.body === 'Anyone around?'));
    await bob.page.evaluate(() => {
      delete document.visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await say(alice, 'Seen while visible');
    await bob.page.getByTestId('badge-chats').filter({ hasText: '2' }).waitFor();
    if ((await bob.page.evaluate(() => window.shownNotes.length)) !== 1) throw new Error('a notification while the tab is visible');
    step('a desktop notification (with permission) only while the tab is hidden');
    console.log('e2e: all green');
  } finally {
    await browser?.close();
    await gateway.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
