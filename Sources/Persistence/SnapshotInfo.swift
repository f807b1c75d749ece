/// What ``SnapshotStore/write(body:coveredLSN:flags:)`` produced, for logs and metrics.
public struct SnapshotInfo: Sendable, Hashable {
    /// Final path of the snapshot file.
    public var path: String
    /// The last journal LSN reflected in the snapshot.
    public var coveredLSN: UInt64
    /// Size of the body before compression.
    public var bodySize: Int
    /// Size of the whole file (header plus zlib stream).
    public var fileSize: Int
    /// Time spent encoding the state into the body (zero when the caller passed a ready body).
    public var encodeDuration: Duration = .zero
    /// Time spent compressing.
    public var compressDuration: Duration
    /// Time spent writing, fsyncing, renaming and pruning.
    public var writeDuration: Duration
}

/// A snapshot file found in a ``SnapshotStore`` directory, identified by its name alone.
public struct SnapshotEntry: Sendable, Hashable, Comparable {
    /// Full path of the file.
    public var path: String
    /// The covered LSN encoded in the name.
    public var coveredLSN: UInt64
    /// The creation time in Unix milliseconds encoded in the name.
    public var createdAtMillis: UInt64

    /// Orders oldest first: by covered LSN, then by creation time.
    public static func < (lhs: SnapshotEntry, rhs: SnapshotEntry) -> Bool {
        (lhs.coveredLSN, lhs.createdAtMillis, lhs.path) < (rhs.coveredLSN, rhs.createdAtMillis, rhs.path)
    }
}
