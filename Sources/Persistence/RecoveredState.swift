import Actors

/// What ``ChatStore/open(directory:fsync:logger:allowEmptyStart:options:now:)`` rebuilt, and how.
public struct RecoveredState: Sendable {
    /// The state to load into the actors.
    public var state: EngineState
    /// The snapshot the state started from; nil when there was none (or none usable, with `allowEmptyStart`).
    public var snapshotPath: String?
    /// The journal position that snapshot covered (0 without one).
    public var snapshotCoveredLSN: UInt64
    /// Snapshot files rejected on the way, newest first; each was logged.
    public var skippedSnapshots: [SnapshotStore.Skipped]
    /// What journal replay read, skipped, cut and set aside; damage was logged.
    public var journal: Journal.ReplayReport
    /// Room changes skipped by replay because the snapshot already reflected them.
    public var changesSkipped: Int
    /// Room changes dropped because their room does not exist.
    public var orphanChanges: Int
    /// Requests the journal shows applied but never answered (the process died in between), for the
    /// engine to answer from their changes.
    public var unansweredRequests: [UnansweredRequest]
    /// True when snapshot files existed but none was usable and the caller allowed an empty start.
    public var startedWithoutSnapshot: Bool
    /// Wall time of the whole recovery.
    public var duration: Duration
    /// Where that time went.
    public var phases = Phases()

    /// Wall time of each step of a recovery, for the restore log and benchmarks.
    public struct Phases: Sendable {
        /// Reading the snapshot file.
        public var read: Duration = .zero
        /// Checking and inflating it.
        public var inflate: Duration = .zero
        /// Decoding the body into values.
        public var decode: Duration = .zero
        /// Replaying the journal on top.
        public var replay: Duration = .zero

        public init() {}
    }

    /// Rooms recovered.
    public var roomCount: Int { state.rooms.count }
    /// Messages recovered, over all rings.
    public var messageCount: Int { state.rooms.reduce(0) { $0 + $1.ring.count } }
    /// Journal records applied on top of the snapshot.
    public var recordsReplayed: Int { journal.recordsApplied }

    /// One line for the restore-summary log.
    public var summary: String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let source = snapshotPath.map { "snapshot \($0) (LSN \(snapshotCoveredLSN))" } ?? "no snapshot"
        return "restored \(roomCount) rooms, \(messageCount) messages from \(source) + \(recordsReplayed) journal records"
            + " (last LSN \(max(journal.lastLSN, snapshotCoveredLSN))) in \((seconds * 1000).rounded() / 1000) s"
    }
}
