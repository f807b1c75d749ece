extension Journal {
    /// Damage found and repaired while replaying: where a file was cut and how much was dropped.
    public struct Damage: Sendable, Hashable {
        /// The damaged file.
        public var path: String
        /// Offset of the first byte dropped (the end of the last whole record).
        public var offset: Int
        /// Bytes dropped from that offset to the end of the file.
        public var bytesDropped: Int
        /// Why the record at `offset` was rejected.
        public var error: PersistenceError
    }

    /// What ``Journal/replay(directory:after:_:)`` read, skipped and repaired; log the damage.
    public struct ReplayReport: Sendable, Hashable {
        /// Journal files opened.
        public var filesRead = 0
        /// Records passed to the body (LSN above `after`).
        public var recordsApplied = 0
        /// Whole records at or below `after`, already reflected in the snapshot.
        public var recordsSkipped = 0
        /// The highest LSN of a whole record in the journal, applied or skipped (0 if none).
        public var lastLSN: UInt64 = 0
        /// Damaged tails that were cut (or header-less files that were removed).
        public var damage: [Damage] = []
        /// Files renamed to `<name>.corrupt` because they follow a gap or are not journal files.
        public var quarantined: [String] = []

        /// True when nothing had to be cut or set aside.
        public var isClean: Bool { damage.isEmpty && quarantined.isEmpty }
    }
}
