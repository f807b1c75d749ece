extension ChatStore {
    /// Tuning of a ``ChatStore``; the defaults suit the engine.
    public struct Options: Sendable {
        /// Ring capacity of rooms created while replaying the journal (SPEC §8: 1000).
        public var ringCapacity: Int
        /// Recorded in each snapshot header, for diagnostics.
        public var engineVersion: String
        /// Snapshots kept on disk; the journal is kept back to the oldest of them.
        public var snapshotsKept: Int
        /// zlib level of snapshots: 6 makes restores faster than 1 (less to inflate) for 2× the compression CPU.
        public var compressionLevel: Int32
        /// Largest snapshot body accepted on load, so a damaged size field cannot exhaust memory.
        public var maxSnapshotBodySize: Int
        /// Nice increment of the snapshot writer thread, so message handling gets the CPU first.
        public var snapshotWriterNiceness: Int32

        /// Creates options.
        /// - Parameters:
        ///   - ringCapacity: Ring capacity of rooms created during replay.
        ///   - engineVersion: Recorded in snapshot headers.
        ///   - snapshotsKept: Snapshots kept (at least 1).
        ///   - compressionLevel: zlib level, 0–9.
        ///   - maxSnapshotBodySize: Largest body accepted on load, in bytes.
        ///   - snapshotWriterNiceness: Nice increment of the writer thread (0 = same priority).
        public init(
            ringCapacity: Int = 1000, engineVersion: String = "", snapshotsKept: Int = 3,
            compressionLevel: Int32 = 6, maxSnapshotBodySize: Int = 4 << 30, snapshotWriterNiceness: Int32 = 10
        ) {
            self.ringCapacity = ringCapacity
            self.engineVersion = engineVersion
            self.snapshotsKept = snapshotsKept
            self.compressionLevel = compressionLevel
            self.maxSnapshotBodySize = maxSnapshotBodySize
            self.snapshotWriterNiceness = snapshotWriterNiceness
        }
    }
}
