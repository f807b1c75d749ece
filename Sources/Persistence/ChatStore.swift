import Actors
import Logging

/// The engine's durable store: a journal of every change plus periodic snapshots, in one directory.
///
/// Wiring: ``open(directory:fsync:logger:allowEmptyStart:options:now:)`` at start-up (it recovers the
/// state), ``append(_:)`` for every change before its reply and fan-out are published,
/// ``writeSnapshot(_:)`` periodically and at shutdown, then ``close()``.
public final class ChatStore: Sendable {
    /// The data directory (snapshot files and journal files side by side).
    public let directory: String
    let journal: Journal
    let snapshots: SnapshotStore
    let options: Options
    let logger: Logger
    private let gate = SnapshotGate()

    init(directory: String, journal: Journal, snapshots: SnapshotStore, options: Options, logger: Logger) {
        self.directory = directory
        self.journal = journal
        self.snapshots = snapshots
        self.options = options
        self.logger = logger
    }

    /// The LSN of the last record appended.
    public var lastLSN: UInt64 { journal.lastLSN }

    /// The highest LSN known to be on disk (lags ``lastLSN`` under `everysec` and `no`).
    public var durableLSN: UInt64 { journal.durableLSN }

    // MARK: Journal

    /// Journals one change and returns its LSN; pass that LSN to `RoomState.apply(_:lsn:)`.
    ///
    /// Call inside the room actor's turn, before the reply and fan-out: one encode and one `write(2)`
    /// (plus an fsync under `always`). Concurrent calls from several actors are safe; LSN order is
    /// the order of the appends. `origin` names the request the change was made for, so a restart can
    /// tell a change whose reply was never journaled (``UnansweredRequest``).
    public func append(_ entry: JournalEntry, origin: ChangeOrigin? = nil) throws -> UInt64 {
        try journal.append(JournalEntryCodec.encode(entry, origin: origin))
    }

    // MARK: Snapshots

    /// Writes a snapshot of the state `capture` returns, then drops journal files no kept snapshot needs.
    ///
    /// Order matters: the journal is rotated first, so every record up to the returned position is
    /// in closed files; `capture` runs after, so each actor copy reflects at least those records
    /// (possibly more: replay skips them per room through `appliedLSN`). Encoding, compression and
    /// file writes run on a dedicated low-priority thread, never on the caller's executor.
    /// One snapshot runs at a time: a concurrent call waits for the running one, then writes its own.
    /// - Parameters:
    ///   - isolation: The caller's actor, inferred: `capture` runs there, so it may read that actor's
    ///     state directly and need not be `Sendable`. Only the rotation and the capture run on it.
    ///   - capture: Returns value copies of every actor's state; called once.
    public func writeSnapshot(
        isolation: isolated (any Actor)? = #isolation, _ capture: () async -> EngineState
    ) async throws -> SnapshotInfo {
        await gate.acquire()
        defer { gate.release() }
        let covered = try journal.rotate()
        let state = await capture()
        let snapshots = self.snapshots
        let info = try await BackgroundThread.run(name: "snapshot-writer", niceness: options.snapshotWriterNiceness) {
            let clock = ContinuousClock()
            let started = clock.now
            let body = try EngineStateCodec.encode(state)
            let encoded = clock.now - started
            var info = try snapshots.write(body: body, coveredLSN: covered)
            info.encodeDuration = encoded
            return info
        }
        // Keep the journal back to the OLDEST kept snapshot: if the newer ones turn out unreadable,
        // start-up falls back to an older one and needs every record after it.
        let oldestKept = try snapshots.list().first?.coveredLSN ?? covered
        let removed = try journal.removeFiles(coveredBy: min(oldestKept, covered))
        logger.debug(
            "snapshot written",
            metadata: [
                "path": "\(info.path)", "covered_lsn": "\(covered)", "body_bytes": "\(info.bodySize)",
                "file_bytes": "\(info.fileSize)", "encode": "\(info.encodeDuration)",
                "compress": "\(info.compressDuration)", "write": "\(info.writeDuration)",
                "journal_files_removed": "\(removed.count)",
            ])
        return info
    }

    /// Stops the journal's background fsync, then fsyncs and closes it; later appends throw `.closed`.
    ///
    /// Write the final snapshot first: `close()` does not wait for a snapshot in progress.
    public func close() throws {
        try journal.close()
    }
}
