import CZlib
import Logging
import Synchronization

/// An append-only, checksummed log of opaque records, each numbered by a log sequence number (LSN).
///
/// Byte layout, format version 1 (all integers little-endian). Files are named
/// `journal-<20-digit first LSN>.chatlog` and start with a 12-byte header:
///
/// | offset | size | field                                  |
/// |-------:|-----:|----------------------------------------|
/// | 0      | 8    | magic, ASCII `CHATJRNL`                |
/// | 8      | 2    | format version, UInt16 = 1             |
/// | 10     | 2    | reserved, 0                            |
///
/// followed by records, back to back:
///
/// | offset | size | field                                           |
/// |-------:|-----:|-------------------------------------------------|
/// | 0      | 4    | payload length L, UInt32, ≤ 64 MiB              |
/// | 4      | 4    | CRC-32 of bytes 8 ..< 16+L (the LSN + payload)  |
/// | 8      | 8    | LSN, UInt64                                     |
/// | 16     | L    | payload                                         |
///
/// LSNs start at 1 and rise by exactly 1 from record to record, across files too.
///
/// Every ``open(directory:fsync:nextLSN:logger:)`` starts a new file, so a damaged tail left by a crash
/// is never appended to: ``replay(directory:after:_:)`` cuts it at the last whole record.
public final class Journal: Sendable {
    struct State: Sendable {
        var fd: Int32
        var path: String
        var fileSize: Int
        var recordsInFile: Int
        var nextLSN: UInt64
        /// Set after a failed write or fsync: the file may no longer hold what we think, so stop.
        var failure: PersistenceError?
        var syncer: PeriodicSyncer?
    }

    /// The directory holding the journal files.
    public let directory: String
    /// When appended records are forced to disk.
    public let policy: FsyncPolicy
    private let logger: Logger
    private let state: Mutex<State>
    /// The last LSN known durable. Held during every fsync and while files are switched, so an fsync
    /// never races a close; appends never take it while holding `state`.
    private let synced: Mutex<UInt64>

    // MARK: Opening

    /// Opens the journal in `directory` for appending, in a new file.
    ///
    /// Call ``replay(directory:after:_:)`` first to rebuild state; it also cuts damaged tails.
    /// - Parameters:
    ///   - directory: Where journal files live (created if missing).
    ///   - fsync: The durability policy.
    ///   - nextLSN: The lowest LSN to assign next, typically the snapshot's covered LSN + 1; the journal
    ///     never reuses an LSN found in its files, whatever this says.
    ///   - logger: Receives background fsync failures.
    public static func open(
        directory: String, fsync: FsyncPolicy, nextLSN: UInt64 = 1,
        logger: Logger = Logger(label: "chat-engine.journal")
    ) throws -> Journal {
        try FileIO.makeDirectory(directory)
        let next = max(nextLSN, 1, try highestLSN(in: directory) + 1)
        let (fd, path) = try createFile(directory: directory, firstLSN: next)
        let journal = Journal(
            directory: directory, policy: fsync, logger: logger,
            state: State(fd: fd, path: path, fileSize: JournalFile.headerSize, recordsInFile: 0, nextLSN: next),
            synced: next - 1)
        if fsync == .everysec {
            let syncer = PeriodicSyncer(interval: 1, name: "journal-fsync") { [weak journal] in
                journal?.backgroundSync()
            }
            journal.state.withLock { $0.syncer = syncer }
        }
        return journal
    }

    private init(directory: String, policy: FsyncPolicy, logger: Logger, state: State, synced: UInt64) {
        self.directory = directory
        self.policy = policy
        self.logger = logger
        self.state = Mutex(state)
        self.synced = Mutex(synced)
    }

    deinit {
        state.withLock { state in
            // Not stop(): the last reference may be dropped on the syncer thread itself.
            state.syncer?.cancel()
            if state.fd >= 0 { FileIO.close(state.fd) }
        }
    }

    /// The highest LSN any file accounts for: its last whole record, or the LSN its name says it began at.
    static func highestLSN(in directory: String) throws -> UInt64 {
        let files = try JournalFile.list(directory)
        var highest = files.last.map { $0.firstLSN &- 1 } ?? 0
        if highest == .max { highest = 0 }
        for file in files.reversed() {
            if let last = try JournalFile.scan(FileIO.readFile(file.path)).records.last {
                return max(highest, last.lsn)
            }
        }
        return highest
    }

    /// Creates (or empties: only a file with no whole record can share the name) a file with its header.
    static func createFile(directory: String, firstLSN: UInt64) throws -> (Int32, String) {
        let path = directory + "/" + JournalFile.name(firstLSN: firstLSN)
        let fd = try FileIO.create(path)
        do {
            try FileIO.writeAll(fd, JournalFile.header, path: path)
            try FileIO.fsync(fd, path: path)
            try FileIO.fsyncDirectory(directory)
        } catch {
            FileIO.close(fd)
            throw error
        }
        return (fd, path)
    }

    // MARK: Appending

    /// The LSN of the last record appended (0 when none ever was).
    public var lastLSN: UInt64 {
        state.withLock { $0.nextLSN - 1 }
    }

    /// Appends one record with a single `write(2)` and returns its LSN.
    ///
    /// With ``FsyncPolicy/always`` the record is on disk when this returns.
    public func append(_ payload: [UInt8]) throws -> UInt64 {
        guard payload.count <= JournalFile.maxPayload else {
            throw PersistenceError(.tooLarge, "journal payload of \(payload.count) bytes")
        }
        let headerSize = JournalFile.recordHeaderSize
        // Frame and checksum the payload outside the lock; only the LSN is filled in under it.
        let payloadCRC = CRC32.checksum(payload)
        var frame = [UInt8](unsafeUninitializedCapacity: headerSize + payload.count) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt32(payload.count).littleEndian, toByteOffset: 0, as: UInt32.self)
            payload.withUnsafeBytes { raw.baseAddress!.advanced(by: headerSize).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            count = headerSize + payload.count
        }
        let lsn = try state.withLock { state throws -> UInt64 in
            guard state.fd >= 0 else { throw PersistenceError(.closed, "journal is closed") }
            if let failure = state.failure { throw failure }
            let lsn = state.nextLSN
            var lsnBytes = lsn.littleEndian
            let lsnCRC = withUnsafeBytes(of: &lsnBytes) { CRC32.checksum($0) }
            let crc = UInt32(truncatingIfNeeded: crc32_combine(uLong(lsnCRC), uLong(payloadCRC), off_t(payload.count)))
            frame.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
                raw.storeBytes(of: lsn.littleEndian, toByteOffset: 8, as: UInt64.self)
            }
            do {
                try FileIO.writeAll(state.fd, frame, path: state.path)
            } catch let error as PersistenceError {
                // Cut a partial record so the file stays a clean sequence; if even that fails, stop appending.
                if (try? FileIO.truncate(state.fd, to: state.fileSize, path: state.path)) == nil {
                    state.failure = error
                }
                throw error
            }
            state.fileSize += frame.count
            state.recordsInFile += 1
            state.nextLSN += 1
            return lsn
        }
        if policy == .always {
            try sync(through: lsn)
        }
        return lsn
    }

    // MARK: Syncing

    /// The highest LSN known to be on disk (fsynced); lags ``lastLSN`` under `everysec` and `no`.
    public var durableLSN: UInt64 {
        synced.withLock { $0 }
    }

    /// Makes every record up to `lsn` durable; one fsync covers all records written before it (group commit).
    public func sync(through lsn: UInt64) throws {
        try synced.withLock { synced in
            guard synced < lsn else { return }
            let (fd, path, written) = try state.withLock { state throws -> (Int32, String, UInt64) in
                guard state.fd >= 0 else { throw PersistenceError(.closed, "journal is closed") }
                if let failure = state.failure { throw failure }
                return (state.fd, state.path, state.nextLSN - 1)
            }
            do {
                try FileIO.fsync(fd, path: path)
            } catch let error as PersistenceError {
                // After a failed fsync Linux may drop the dirty pages: later success would be a lie.
                state.withLock { $0.failure = error }
                throw error
            }
            synced = written
        }
    }

    private func backgroundSync() {
        do {
            try sync(through: lastLSN)
        } catch let error as PersistenceError where error.code == .closed {
            return
        } catch {
            logger.error("journal fsync failed; appends will fail", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Files

    /// Starts a new file, so files before it can be removed once a snapshot covers them.
    ///
    /// Call just before taking a snapshot. Does nothing if the current file has no records.
    /// - Returns: The last LSN of the closed file (the LSN a snapshot taken now must at least cover).
    @discardableResult
    public func rotate() throws -> UInt64 {
        try synced.withLock { synced in
            try state.withLock { state throws -> UInt64 in
                guard state.fd >= 0 else { throw PersistenceError(.closed, "journal is closed") }
                if let failure = state.failure { throw failure }
                let last = state.nextLSN - 1
                guard state.recordsInFile > 0 else { return last }
                // The old file must be durable before a snapshot relies on it and before the new one is used.
                try FileIO.fsync(state.fd, path: state.path)
                let (fd, path) = try Self.createFile(directory: directory, firstLSN: state.nextLSN)
                FileIO.close(state.fd)
                state.fd = fd
                state.path = path
                state.fileSize = JournalFile.headerSize
                state.recordsInFile = 0
                synced = last
                return last
            }
        }
    }

    /// Deletes files whose every record has an LSN ≤ `lsn`, never the file being appended to.
    /// - Returns: The paths removed.
    @discardableResult
    public func removeFiles(coveredBy lsn: UInt64) throws -> [String] {
        let current = state.withLock { $0.path }
        let files = try JournalFile.list(directory)
        var removed: [String] = []
        // A file's records end just before the next file's first LSN.
        for (file, next) in zip(files, files.dropFirst())
        where file.path != current && next.firstLSN <= lsn &+ 1 {
            try FileIO.unlink(file.path)
            removed.append(file.path)
        }
        return removed
    }

    /// Stops the background fsync, then fsyncs and closes the file. Later appends throw `.closed`.
    public func close() throws {
        let syncer = state.withLock { state in
            defer { state.syncer = nil }
            return state.syncer
        }
        // Outside the locks: the syncer's last tick may need them.
        syncer?.stop()
        try synced.withLock { synced in
            try state.withLock { state throws in
                guard state.fd >= 0 else { return }
                defer {
                    FileIO.close(state.fd)
                    state.fd = -1
                }
                if state.failure == nil {
                    try FileIO.fsync(state.fd, path: state.path)
                    synced = state.nextLSN - 1
                }
            }
        }
    }
}
