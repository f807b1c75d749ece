import Synchronization

/// A directory of snapshot files, written atomically and pruned to the newest few.
///
/// Files are named `snapshot-<20-digit covered LSN>-<Unix ms>.chatsnap`; a write goes through
/// `<final name>.tmp` in the same directory, so a crash leaves either the old set or the new file.
public final class SnapshotStore: Sendable {
    /// The directory holding the snapshots.
    public let directory: String
    /// How many snapshots to keep after a write.
    public let keep: Int
    /// Recorded in each header for diagnostics.
    public let engineVersion: String
    /// zlib level used by ``write(body:coveredLSN:flags:)``.
    public let compressionLevel: Int32
    /// Serialises the file-system part of writes, so one write never deletes another's temp file.
    private let lock = Mutex(())

    static let prefix = "snapshot-"
    static let suffix = ".chatsnap"
    static let tempSuffix = ".tmp"

    /// Opens (creating if needed) a snapshot directory and removes temp files left by a crash.
    /// - Parameters:
    ///   - directory: Where snapshot files live.
    ///   - keep: Snapshots kept after each write (at least 1).
    ///   - engineVersion: Recorded in each header.
    ///   - compressionLevel: zlib level, 0–9.
    public init(directory: String, keep: Int = 3, engineVersion: String = "", compressionLevel: Int32 = 6) throws {
        self.directory = directory
        self.keep = max(1, keep)
        self.engineVersion = engineVersion
        self.compressionLevel = compressionLevel
        try FileIO.makeDirectory(directory)
        try lock.withLock { _ in try removeTempFiles() }
    }

    /// Compresses `body` and writes it durably as the newest snapshot, then prunes old ones.
    /// - Parameters:
    ///   - body: The encoded state.
    ///   - coveredLSN: The last journal record reflected in `body`.
    ///   - flags: Opaque to this layer; stored in the header.
    public func write(body: [UInt8], coveredLSN: UInt64, flags: UInt16 = 0) throws -> SnapshotInfo {
        let clock = ContinuousClock()
        let started = clock.now
        let createdAt = SnapshotFile.unixNow()
        // Compress outside the lock: it is the slow part and touches no files.
        let (header, compressed) = try SnapshotFile.encodeParts(
            body: body, coveredLSN: coveredLSN, engineVersion: engineVersion, flags: flags,
            createdAt: createdAt, level: compressionLevel)
        let headerBytes = try header.encoded()
        let compressedAt = clock.now
        let path = directory + "/" + Self.fileName(coveredLSN: coveredLSN, millis: UInt64(createdAt * 1000))
        try lock.withLock { _ in
            try removeTempFiles()
            try writeAtomically(path: path, headerBytes, compressed)
            try prune()
        }
        return SnapshotInfo(
            path: path, coveredLSN: coveredLSN, bodySize: body.count,
            fileSize: headerBytes.count + compressed.count,
            compressDuration: compressedAt - started, writeDuration: clock.now - compressedAt)
    }

    /// Snapshot files in the directory, oldest first; names that do not parse are ignored.
    public func list() throws -> [SnapshotEntry] {
        try FileIO.list(directory).compactMap { name in
            Self.parse(name: name).map {
                SnapshotEntry(path: directory + "/" + name, coveredLSN: $0.lsn, createdAtMillis: $0.millis)
            }
        }.sorted()
    }

    // MARK: Files

    static func fileName(coveredLSN: UInt64, millis: UInt64) -> String {
        let lsn = String(coveredLSN)
        return prefix + String(repeating: "0", count: max(0, 20 - lsn.count)) + lsn + "-\(millis)" + suffix
    }

    static func parse(name: String) -> (lsn: UInt64, millis: UInt64)? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let parts = name.dropFirst(prefix.count).dropLast(suffix.count).split(separator: "-")
        guard parts.count == 2, let lsn = UInt64(parts[0]), let millis = UInt64(parts[1]) else { return nil }
        return (lsn, millis)
    }

    /// Temp file, write, fsync, rename, fsync directory: the rename is the commit point.
    private func writeAtomically(path: String, _ header: [UInt8], _ body: [UInt8]) throws {
        let temp = path + Self.tempSuffix
        do {
            let fd = try FileIO.create(temp)
            do {
                try FileIO.writeAll(fd, header, path: temp)
                try FileIO.writeAll(fd, body, path: temp)
                try FileIO.fsync(fd, path: temp)
            } catch {
                FileIO.close(fd)
                throw error
            }
            FileIO.close(fd)
            try FileIO.rename(temp, path)
        } catch {
            try? FileIO.unlink(temp)
            throw error
        }
        try FileIO.fsyncDirectory(directory)
    }

    /// Deletes all but the newest `keep` snapshots.
    private func prune() throws {
        for entry in try list().dropLast(keep) {
            try FileIO.unlink(entry.path)
        }
    }

    /// Under the lock no write is in flight, so any temp file is a leftover from a crash.
    private func removeTempFiles() throws {
        for name in try FileIO.list(directory)
        where name.hasPrefix(Self.prefix) && name.hasSuffix(Self.suffix + Self.tempSuffix) {
            try FileIO.unlink(directory + "/" + name)
        }
    }
}
