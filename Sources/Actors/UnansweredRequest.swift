/// A request whose changes the journal holds but whose reply it does not: the process died after
/// journaling what the request changed and before journaling the answer. Recovery hands these to the
/// engine, which rebuilds each reply from the changes, so a retry is answered and not applied twice.
public struct UnansweredRequest: Sendable, Equatable {
    public var origin: ChangeOrigin
    /// What the request changed, in journal order.
    public var changes: [Change]

    public struct Change: Sendable, Equatable {
        public var entry: JournalEntry
        /// Members of the entry's room right after it was applied; nil for engine-wide entries.
        public var memberCount: Int?

        public init(entry: JournalEntry, memberCount: Int?) {
            self.entry = entry
            self.memberCount = memberCount
        }
    }

    public init(origin: ChangeOrigin, changes: [Change]) {
        self.origin = origin
        self.changes = changes
    }
}
