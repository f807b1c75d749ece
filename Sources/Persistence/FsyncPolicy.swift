/// When the journal forces appended records to stable storage.
public enum FsyncPolicy: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// fsync before `append` returns: nothing acknowledged is ever lost, at a disk flush per append
    /// (concurrent appends share flushes).
    case always
    /// A background thread fsyncs once a second when something was written: a crash of the machine
    /// (not of the process) can lose up to a second.
    case everysec
    /// Leave flushing to the OS; fsync only on rotate and close.
    case no

    /// Parses `always`, `everysec` or `no` (case-insensitive); nil for anything else.
    public init?(parsing text: String) {
        self.init(rawValue: text.lowercased())
    }

    public var description: String { rawValue }
}
