// Generated from src/resource_kind.rs by its tests (cargo test): edit the table there.

/** A kind of resource leakwatch reports, as reports and options name it. */
export type ResourceKind =
  | 'TCP server'
  | 'TCP socket'
  | 'TLS socket'
  | 'Pipe server'
  | 'Pipe'
  | 'UDP socket'
  | 'Child process'
  | 'FS watcher'
  | 'Stat watcher'
  | 'Timeout'
  | 'Interval'
  | 'Immediate'
  | 'Worker'
  | 'MessagePort'
  | 'Signal handler'
  | 'File handle'
  | 'Listener'
  | 'Retained object'
