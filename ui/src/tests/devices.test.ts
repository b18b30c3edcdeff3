import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import AttentionView from '../lib/components/AttentionView.svelte';
import DevicePrompt from '../lib/components/DevicePrompt.svelte';
import DevicesSection from '../lib/components/DevicesSection.svelte';
import type { DeviceView, PlanPreview } from '../lib/types';
import { callsTo, installBackend } from './backend';

const KOBO: DeviceView = {
  id: 'kobo:N418000000001',
  name: 'Kobo eReader',
  kinds: ['kobo'],
  root: '/run/media/reader/KOBOeReader',
  firstSeen: '2026-11-25T09:00:00Z',
  lastSeen: '2026-11-25T09:00:00Z',
  connected: true,
  books: 2,
  confirmed: false,
  alwaysSync: false,
  sources: ['kobo'],
};

// A preview lists only changes; the book that would not change is counted in `rest`.
const PLAN: PlanPreview = {
  sentence: '2 books to update',
  changes: [
    { source: 'kobo', itemId: 'a', title: 'The Lantern Orchard', action: 'progress', detail: '2 highlights to add to your reading journal' },
    { source: 'abs', itemId: 'b', title: 'Another server’s book', action: 'progress', detail: 'progress to page 12' },
  ],
  rest: '1 book already up to date',
};

describe('e-readers', () => {
  it('a device first seen is reviewed, then confirmed and synced', async () => {
    const calls = installBackend({
      devices: () => [KOBO],
      sync_preview: () => PLAN,
      confirm_device: () => null,
      sync_now: () => null,
    });
    const user = userEvent.setup();
    render(DevicePrompt);
    const prompt = await screen.findByTestId('device-prompt');
    expect(within(prompt).getByText('Kobo eReader connected'), 'the prompt names the device').toBeTruthy();
    expect(callsTo(calls, 'sync_now'), 'nothing is sent before the user confirms').toHaveLength(0);
    await user.click(within(prompt).getByRole('button', { name: 'Review the first sync' }));
    const plan = await screen.findByTestId('device-plan');
    expect(within(plan).getAllByRole('listitem'), 'only the device’s books with changes are listed').toHaveLength(1);
    expect(within(plan).getByText(/2 highlights to add to your reading journal/), 'the plan lists what would change on Hardcover').toBeTruthy();
    await user.click(within(prompt).getByRole('button', { name: 'Always sync this device' }));
    await vi.waitFor(() => expect(callsTo(calls, 'sync_now'), 'confirming runs the sync').toHaveLength(1));
    expect(callsTo(calls, 'confirm_device')[0]?.args, 'the choice is remembered for this device').toEqual({ id: KOBO.id, always: true });
    await vi.waitFor(() => expect(screen.queryByTestId('device-prompt'), 'a confirmed device is not asked about again').toBeNull());
  });

  it('Settings lists known devices and forgets one', async () => {
    const calls = installBackend({
      devices: () => [{ ...KOBO, connected: false, confirmed: true, alwaysSync: true }],
      forget_device: () => null,
    });
    const user = userEvent.setup();
    render(DevicesSection);
    const section = await screen.findByTestId('devices-section');
    await within(section).findByText('Kobo eReader');
    expect(within(section).getByText(/2 books · kobo · synced when plugged in/), 'books and what is synced are shown').toBeTruthy();
    expect(within(section).getByText(/last seen/), 'an unplugged device says when it was last seen').toBeTruthy();
    await user.click(within(section).getByRole('button', { name: 'Forget' }));
    expect(callsTo(calls, 'forget_device')[0]?.args).toEqual({ id: KOBO.id });
    await vi.waitFor(() => expect(within(section).queryByText('Kobo eReader'), 'a forgotten device leaves the list').toBeNull());
  });
});

describe('needs attention', () => {
  it('lists excluded books with Sync again', async () => {
    const calls = installBackend({
      unmatched_items: () => [],
      sync_runs: () => [],
      excluded_items: () => [{ source: 'kobo', itemId: 'x1', title: 'A book never synced' }],
      set_item_excluded: () => null,
    });
    const user = userEvent.setup();
    render(AttentionView);
    await screen.findByText('A book never synced');
    expect(screen.getByText('Never synced, as you chose (1)'), 'excluded books have a section of their own').toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Sync again' }));
    expect(callsTo(calls, 'set_item_excluded')[0]?.args, 'Sync again includes the item again').toEqual({
      source: 'kobo',
      itemId: 'x1',
      excluded: false,
    });
    await vi.waitFor(() => expect(screen.queryByText('A book never synced'), 'it leaves the list').toBeNull());
  });
});
