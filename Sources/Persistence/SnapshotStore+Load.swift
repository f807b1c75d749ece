extension SnapshotStore {
    /// A snapshot file that could not be used, and why; the caller logs these.
    public struct Skipped: Sendable, Hashable {
        /// Path of the rejected file.
        public var path: String
        /// Why it was rejected.
        public var error: PersistenceError
    }

    /// A snapshot that passed every check.
    public struct Loaded: Sendable {
        /// Path of the file it came from.
        public var path: String
        /// Its verified header.
        public var header: SnapshotHeader
        /// The inflated body.
        public var body: [UInt8]
    }

    /// The outcome of ``SnapshotStore/loadNewestValid(limit:)``.
    public enum LoadResult: Sendable {
        /// No snapshot files exist: a first start, begin empty.
        case none
        /// The newest valid snapshot; `skipped` lists newer files rejected on the way (newest first).
        case loaded(Loaded, skipped: [Skipped])
        /// Snapshot files exist but none is valid: starting empty would lose data, so the caller decides.
        case allInvalid(skipped: [Skipped])

        /// The loaded body, if any.
        public var body: [UInt8]? {
            if case .loaded(let loaded, _) = self { return loaded.body }
            return nil
        }

        /// Files rejected while looking for a valid snapshot.
        public var skipped: [Skipped] {
            switch self {
            case .none: []
            case .loaded(_, let skipped), .allInvalid(let skipped): skipped
            }
        }
    }

    /// Loads the newest snapshot that verifies, falling back to older ones and reporting each rejection.
    /// - Parameter limit: Largest body accepted (guards memory against a damaged size field).
    public func loadNewestValid(limit: Int) throws -> LoadResult {
        let entries = try list()
        guard !entries.isEmpty else { return .none }
        var skipped: [Skipped] = []
        for entry in entries.reversed() {
            do {
                let (header, body) = try SnapshotFile.decode(FileIO.readFile(entry.path), limit: limit)
                return .loaded(Loaded(path: entry.path, header: header, body: body), skipped: skipped)
            } catch let error as PersistenceError {
                skipped.append(Skipped(path: entry.path, error: error))
            }
        }
        return .allInvalid(skipped: skipped)
    }
}
