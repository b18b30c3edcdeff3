import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { reconnectBanner, reportError, view } from '../lib/stores';
import { SETTINGS, SHELVES, STATUS, callsTo, installBackend } from './backend';

const fail = (code: string, message = 'boom') => () => {
  throw { code, message };
};

describe('errors are handled by code', () => {
  it('reconnect_needed shows the banner, and Reconnect runs the browser flow', async () => {
    const calls = installBackend({
      get_status: () => STATUS,
      list_shelves: fail('reconnect_needed', 'Your token was reset on hardcover.app.'),
      connect_browser: () => STATUS,
    });
    const user = userEvent.setup();
    render(App);
    const banner = await screen.findByTestId('reconnect-banner');
    expect(banner.textContent, 'the banner carries the reason').toContain('Your token was reset');
    await user.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(callsTo(calls, 'connect_browser').length, 'Reconnect starts the browser flow').toBe(1);
    expect(screen.queryByTestId('reconnect-banner'), 'a successful reconnect clears the banner').toBeNull();
  });

  it('AppStatus.reconnectNeeded shows the banner too', async () => {
    installBackend({
      get_status: () => ({ ...STATUS, reconnectNeeded: true, reconnectReason: 'Token expired.' }),
      list_shelves: () => SHELVES,
      list_books: () => [],
    });
    render(App);
    expect((await screen.findByTestId('reconnect-banner')).textContent).toContain('Token expired.');
  });

  it('not_connected opens the connect panel', async () => {
    installBackend({
      get_status: () => ({ ...STATUS, connected: false, username: null }),
      list_shelves: fail('not_connected'),
      get_settings: () => SETTINGS,
    });
    render(App);
    expect(await screen.findByRole('button', { name: 'Connect via browser' }), 'the connect panel is shown').toBeTruthy();
    expect(get(view), 'Settings is where the connect panel lives').toBe('settings');
  });

  it('offline shows the offline badge while the saved library stays browsable', async () => {
    installBackend({
      get_status: () => STATUS,
      list_shelves: () => SHELVES,
      list_books: () => [],
      refresh_library: fail('offline'),
    });
    const user = userEvent.setup();
    render(App);
    await user.click(await screen.findByRole('button', { name: 'Refresh shelves from Hardcover' }));
    expect(await screen.findByTestId('offline-badge'), 'an offline answer shows the badge').toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Currently Reading' }), 'the shelf stays on screen').toBeTruthy();
  });

  it('Shelves.offline shows the badge', async () => {
    installBackend({ get_status: () => STATUS, list_shelves: () => ({ ...SHELVES, offline: true }), list_books: () => [] });
    render(App);
    expect(await screen.findByTestId('offline-badge')).toBeTruthy();
  });

  it('rate_limited says Hardcover asked us to slow down', async () => {
    installBackend({ get_status: () => STATUS, list_shelves: fail('rate_limited', 'HTTP 429') });
    render(App);
    expect(await screen.findByText(/Hardcover asked us to slow down/), 'rate limiting gets its own message').toBeTruthy();
  });

  it('never switches on message text', () => {
    reportError({ code: 'internal', message: 'reconnect_needed' });
    expect(get(reconnectBanner), 'a message that merely mentions a code must not trigger its UI').toBeNull();
  });
});
