import Actors
import Logging

extension ChatStore {
    /// Recovers the state from `directory` and opens the journal for appending.
    ///
    /// Steps, each logged: load the newest snapshot that verifies and decodes (a corrupt, truncated
    /// or unreadable one is reported and the previous one tried); replay the journal records after
    /// the LSN it covers (a torn tail is cut at the last whole record); drop replies that expired;
    /// open a new journal file after the last LSN.
    ///
    /// Refuses to start (throws `.corrupt`) instead of silently losing data when snapshot files exist
    /// but none is usable, or when there is no snapshot and the journal does not start at LSN 1,
    /// unless `allowEmptyStart` is true: then it starts from an empty state plus whatever journal
    /// records survive. A journal record that is whole but does not decode (written by a newer
    /// version) also throws: applying the records around it would build a state that never existed.
    /// - Parameters:
    ///   - directory: The data directory (created if missing).
    ///   - fsync: The journal's durability policy.
    ///   - logger: Receives the recovery report and background errors.
    ///   - allowEmptyStart: Accept losing unreadable state rather than refusing to start.
    ///   - options: Tuning; the defaults suit the engine.
    ///   - now: Unix time used to drop expired replies.
    public static func open(
        directory: String, fsync: FsyncPolicy, logger: Logger, allowEmptyStart: Bool,
        options: Options = Options(), now: Double = SnapshotFile.unixNow()
    ) throws -> (ChatStore, RecoveredState) {
        let clock = ContinuousClock()
        let started = clock.now
        let snapshots = try SnapshotStore(
            directory: directory, keep: options.snapshotsKept, engineVersion: options.engineVersion,
            compressionLevel: options.compressionLevel)
        var phases = RecoveredState.Phases()
        let (loaded, skipped, snapshotCount) = try loadNewestUsable(snapshots, options: options, logger: logger, phases: &phases)
        let replayStarted = clock.now

        var initial = EngineState()
        var after: UInt64 = 0
        var startedWithoutSnapshot = false
        if let loaded {
            initial = loaded.state
            after = loaded.coveredLSN
        } else {
            let firstLSN = try JournalFile.list(directory).first?.firstLSN ?? 1
            let missing = snapshotCount > 0 || firstLSN > 1
            if missing {
                let reason = snapshotCount > 0
                    ? "none of the \(snapshotCount) snapshot files in \(directory) is usable"
                    : "no snapshot in \(directory) and the journal starts at LSN \(firstLSN), not 1"
                guard allowEmptyStart else {
                    throw PersistenceError(
                        .corrupt,
                        "\(reason): refusing to start with lost state; restore a snapshot file, or allow an empty start to accept the loss")
                }
                logger.critical("\(reason): starting from an empty state plus the surviving journal (empty start allowed)")
                startedWithoutSnapshot = true
                after = firstLSN - 1
            }
        }

        var replayer = StateReplayer(state: initial, ringCapacity: options.ringCapacity)
        let report = try Journal.replay(directory: directory, after: after) { lsn, payload in
            let record: (entry: JournalEntry, origin: ChangeOrigin?)
            do throws(PersistenceError) {
                record = try JournalEntryCodec.decodeRecord(payload)
            } catch {
                throw PersistenceError(error.code, "journal record \(lsn) does not decode: \(error.message)")
            }
            replayer.apply(record.entry, origin: record.origin, lsn: lsn)
        }
        phases.replay = clock.now - replayStarted
        log(report, logger: logger)

        let journal = try Journal.open(
            directory: directory, fsync: fsync, nextLSN: max(after, report.lastLSN) + 1, logger: logger)
        let changesSkipped = replayer.changesSkipped
        let orphanChanges = replayer.orphanChanges
        let unansweredRequests = replayer.unansweredRequests
        if orphanChanges > 0 {
            logger.warning("\(orphanChanges) journal records name a room that does not exist; ignored")
        }
        let recovered = RecoveredState(
            state: replayer.finish(now: now), snapshotPath: loaded?.path, snapshotCoveredLSN: loaded?.coveredLSN ?? 0,
            skippedSnapshots: skipped, journal: report, changesSkipped: changesSkipped,
            orphanChanges: orphanChanges, unansweredRequests: unansweredRequests, startedWithoutSnapshot: startedWithoutSnapshot,
            duration: clock.now - started, phases: phases)
        logger.info("\(recovered.summary)")
        let store = ChatStore(directory: directory, journal: journal, snapshots: snapshots, options: options, logger: logger)
        return (store, recovered)
    }

    /// The newest snapshot that verifies and decodes, the files rejected on the way, and how many exist.
    ///
    /// Unlike ``SnapshotStore/loadNewestValid(limit:)`` this also falls back when a file passes its
    /// checksums but its body does not decode (say, a body version from a newer build).
    private static func loadNewestUsable(
        _ snapshots: SnapshotStore, options: Options, logger: Logger, phases: inout RecoveredState.Phases
    ) throws -> (loaded: (path: String, coveredLSN: UInt64, state: EngineState)?, skipped: [SnapshotStore.Skipped], count: Int) {
        let entries = try snapshots.list()
        var skipped: [SnapshotStore.Skipped] = []
        let clock = ContinuousClock()
        for entry in entries.reversed() {
            do {
                var started = clock.now
                let bytes = try FileIO.readFile(entry.path)
                phases.read = clock.now - started
                started = clock.now
                let (header, body) = try SnapshotFile.decode(bytes, limit: options.maxSnapshotBodySize)
                phases.inflate = clock.now - started
                started = clock.now
                let state = try EngineStateCodec.decode(body)
                phases.decode = clock.now - started
                return ((entry.path, header.coveredLSN, state), skipped, entries.count)
            } catch let error as PersistenceError {
                logger.error(
                    "snapshot unusable, trying the previous one",
                    metadata: ["path": "\(entry.path)", "error": "\(error)"])
                skipped.append(SnapshotStore.Skipped(path: entry.path, error: error))
            }
        }
        return (nil, skipped, entries.count)
    }

    private static func log(_ report: Journal.ReplayReport, logger: Logger) {
        for damage in report.damage {
            logger.warning(
                "journal tail damaged (normal after a crash): cut at the last whole record",
                metadata: [
                    "path": "\(damage.path)", "offset": "\(damage.offset)",
                    "bytes_dropped": "\(damage.bytesDropped)", "error": "\(damage.error)",
                ])
        }
        for path in report.quarantined {
            logger.error(
                "journal file follows a gap or is not a journal: set aside, its records are NOT applied",
                metadata: ["path": "\(path)"])
        }
    }
}
