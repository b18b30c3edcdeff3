// TypeScript view of the contract between the app and this page. Field names are camelCase.
//
// The payload types are generated from the core's view types (the hardcover-sync crate, feature
// `ts`) into ./bindings.ts and re-exported here, so imports from './types' keep working. What stays
// below is the UI's own: display names and lists built on those types.

import type { StatusId } from './bindings';

export type {
  AppStatus,
  BookDetail,
  BookFormat,
  BookList,
  BookRow,
  ConnectResult,
  DeviceView,
  Direction,
  DisconnectResult,
  Edition,
  ErrorCode,
  ExcludedItem,
  ExportFormat,
  ExportResult,
  ExportSelection,
  HighlightView,
  IpcError,
  LinkedItem,
  NotificationSettings,
  PlanAction,
  PlanPreview,
  Progress,
  Read,
  RunItem,
  RunSummary,
  SearchHit,
  Settings,
  ShelfCount,
  ShelfKind,
  Shelves,
  SourceKind,
  SourceSettings,
  StatusId,
  SyncPhase,
  SyncProgress,
  SyncState,
  SourceStatus,
  SyncStatus,
  TestSourceResult,
  TokenStore,
  UnmatchedItem,
} from './bindings';

export const STATUS_NAMES: Record<StatusId, string> = {
  1: 'Want to Read',
  2: 'Currently Reading',
  3: 'Read',
  4: 'Paused',
  5: 'Did Not Finish',
  6: 'Ignored',
};
export const STATUS_IDS: StatusId[] = [1, 2, 3, 4, 5, 6];
