import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import SettingsView from '../lib/components/SettingsView.svelte';
import { get } from 'svelte/store';
import { appStatus, currentShelf, view } from '../lib/stores';
import type { Settings } from '../lib/types';
import { SETTINGS, SHELVES, STATUS, callsTo, installBackend } from './backend';

describe('settings', () => {
  it('adds a source, tests it, and saves with the secret sent once', async () => {
    const calls = installBackend({
      get_settings: () => SETTINGS,
      save_settings: (a) => a.settings,
      test_source: () => ({ ok: true, message: 'Connected', items: 12 }),
    });
    appStatus.set(STATUS);
    const user = userEvent.setup();
    render(SettingsView);
    await user.click(await screen.findByRole('button', { name: 'Add source' }));
    await user.type(screen.getByRole('textbox', { name: 'Server URL' }), 'https://abs.example');
    await user.type(screen.getByLabelText('API token'), 's3cret');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText(/Connected \(12 items\)/), 'the test result is shown').toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Done' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(callsTo(calls, 'save_settings').length, 'Save sends save_settings once').toBe(1));
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled, 'after saving nothing is unsaved').toBe(true);
    const saved = callsTo(calls, 'save_settings')[0]?.args.settings as Settings;
    expect(saved.sources, 'the new source is saved with its write-only secret').toEqual([
      { kind: 'audiobookshelf', name: 'Audiobookshelf', url: 'https://abs.example', username: null, library: [], hasSecret: false, secret: 's3cret' },
    ]);
  });

  it('sends the token only to connect_token and clears the field', async () => {
    const calls = installBackend({
      get_settings: () => SETTINGS,
      connect_token: () => STATUS,
    });
    appStatus.set({ ...STATUS, connected: false, username: null });
    const user = userEvent.setup();
    render(SettingsView);
    await user.click(await screen.findByRole('button', { name: 'or paste a token' }));
    await user.type(screen.getByLabelText('Hardcover API token'), 'tok_123');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText(/Connected as/), 'a good token connects').toBeTruthy();
    expect(callsTo(calls, 'connect_token')[0]?.args, 'the token goes to connect_token').toEqual({ token: 'tok_123' });
    const others = calls.filter((c) => c.cmd !== 'connect_token' && JSON.stringify(c.args).includes('tok_123'));
    expect(others, 'no other command may carry the token').toEqual([]);
  });

  it('after connecting, the window goes to Currently Reading', async () => {
    installBackend({ get_settings: () => SETTINGS, connect_token: () => STATUS, list_shelves: () => SHELVES });
    appStatus.set({ ...STATUS, connected: false, username: null });
    view.set('settings');
    currentShelf.set({ kind: 'status', id: 1, name: 'Want to Read' });
    const user = userEvent.setup();
    render(SettingsView);
    await user.click(await screen.findByRole('button', { name: 'or paste a token' }));
    await user.type(screen.getByLabelText('Hardcover API token'), 'tok_123');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(get(view), 'connecting leads to the books, not back to Settings').toBe('books'));
    expect(get(currentShelf)?.id, 'the shelf shown is what the user is reading now').toBe(2);
  });

  it('the threshold is typed as a percentage and saved as a fraction', async () => {
    const calls = installBackend({ get_settings: () => SETTINGS, save_settings: (a) => a.settings });
    appStatus.set(STATUS);
    const user = userEvent.setup();
    render(SettingsView);
    const field = (await screen.findByLabelText('Currently Reading threshold (percent)')) as HTMLInputElement;
    expect(field.value, 'a stored 0.02 shows as 2 (%)').toBe('2');
    await user.clear(field);
    await user.type(field, '150');
    expect(screen.getByText('Enter a percentage from 0 to 100'), 'an impossible percentage is named as you type').toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled, 'and cannot be saved').toBe(true);
    await user.clear(field);
    await user.type(field, '5');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(callsTo(calls, 'save_settings').length).toBe(1));
    const saved = callsTo(calls, 'save_settings')[0]?.args.settings as Settings;
    expect(saved.currentlyReadingThreshold, '5 % is saved as 0.05').toBe(0.05);
  });

  it('Save tests a new source first and says what failed', async () => {
    const calls = installBackend({
      get_settings: () => SETTINGS,
      save_settings: (a) => a.settings,
      test_source: () => ({ ok: false, message: 'Cannot reach https://abs.example: connection refused', items: 0 }),
    });
    appStatus.set(STATUS);
    const user = userEvent.setup();
    render(SettingsView);
    await user.click(await screen.findByRole('button', { name: 'Add source' }));
    await user.type(screen.getByRole('textbox', { name: 'Server URL' }), 'https://abs.example');
    await user.click(screen.getByRole('button', { name: 'Done' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByTestId('save-test-failed');
    expect(alert.textContent, 'the failed test is named with its reason').toContain('connection refused');
    expect(callsTo(calls, 'save_settings').length, 'a source that fails its test is not saved silently').toBe(0);
    await user.click(screen.getByRole('button', { name: 'Save anyway' }));
    await waitFor(() => expect(callsTo(calls, 'save_settings').length, 'Save anyway saves').toBe(1));
  });

  it('start at login calls set_autostart', async () => {
    const calls = installBackend({ get_settings: () => SETTINGS, set_autostart: (a) => a.enabled });
    appStatus.set(STATUS);
    const user = userEvent.setup();
    render(SettingsView);
    await user.click(await screen.findByRole('checkbox', { name: 'Start at login' }));
    expect(callsTo(calls, 'set_autostart')[0]?.args, 'ticking Start at login enables autostart').toEqual({ enabled: true });
  });
});
