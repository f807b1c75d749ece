/// The tagged sections of a snapshot body, and a scanner that lists them without decoding.
///
/// Body layout: a varint body version (``EngineStateCodec/bodyVersion``), then sections back to back,
/// each a varint tag, a varint payload length and the payload, ending with the empty end section
/// (tag 0), so a body cut at a section boundary is still detected as truncated. A reader skips
/// sections whose tag it does not know, so a later version can add state without breaking older
/// readers; it rejects a body version newer than its own, reserved for incompatible changes.
///
/// | tag | section     | payload                                                          |
/// |----:|-------------|------------------------------------------------------------------|
/// | 0   | end         | none (length 0); must be last                                    |
/// | 1   | rooms       | count, then each room as a length-prefixed record (RoomStateCodec) |
/// | 2   | globalBans  | count, user ids                                                  |
/// | 3   | replies     | count, then (userId, requestId, reply bytes, expiresAt)          |
/// | 4   | lastSeen    | count, then (userId, Double)                                     |
/// | 5   | files       | count, then (FileInfo, uploaderId, uploadedAt, room ids)         |
/// | 6   | replyForms  | count, then (userId, requestId, expiresAt, form 0: reply bytes, or |
/// |     |             | form 1: seq, timestamp, reply length); written instead of 3      |
/// | 7   | blocks      | count, then (blocker id, the user ids they block); written only  |
/// |     |             | when someone blocks someone, so bodies without blocks are as before |
/// | 8   | pushDevices | count, then (user id, count, devices); written only when some    |
/// |     |             | user registered a device                                         |
/// | 9   | pendingPushes | count, then pushes oldest first; written only when some wait   |
public enum SnapshotSection: UInt64, Sendable, CaseIterable {
    case rooms = 1
    case globalBans = 2
    /// Replies as bytes: what builds before compact replies wrote (still read).
    case replies = 3
    case lastSeen = 4
    case files = 5
    case replyForms = 6
    /// Who blocks whom; absent from older bodies, which load with no blocks.
    case blocks = 7
    /// Devices registered for push; absent from older bodies.
    case pushDevices = 8
    /// Pushes the webhook has not accepted yet, oldest first; absent from older bodies.
    case pendingPushes = 9

    /// Tag of the empty section that closes a body.
    static let endTag: UInt64 = 0

    /// One section found in a body: its tag (known or not) and where its payload lies.
    public struct Span: Sendable, Hashable {
        /// The raw tag; ``section`` is nil for tags this version does not know.
        public var tag: UInt64
        /// Offset of the payload in the body.
        public var offset: Int
        /// Payload size in bytes.
        public var length: Int

        /// The known section this tag names, if any.
        public var section: SnapshotSection? { SnapshotSection(rawValue: tag) }
    }

    /// Lists the sections of a body after checking its version; throws if the framing is damaged.
    public static func scan(_ body: [UInt8]) throws(PersistenceError) -> [Span] {
        var reader = ByteReader(body)
        let version = try reader.readVarUInt()
        guard version >= 1 else { throw PersistenceError(.corrupt, "snapshot body version 0") }
        guard version <= EngineStateCodec.bodyVersion else {
            throw PersistenceError(
                .unsupportedVersion,
                "snapshot body version \(version), this build reads up to \(EngineStateCodec.bodyVersion)")
        }
        var spans: [Span] = []
        while true {
            guard !reader.isAtEnd else {
                throw PersistenceError(.truncated, "snapshot body ends without its end section")
            }
            let tag = try reader.readVarUInt()
            let length = try reader.readLength()
            if tag == endTag {
                guard length == 0 else { throw PersistenceError(.corrupt, "end section of \(length) bytes") }
                try reader.expectEnd()
                return spans
            }
            spans.append(Span(tag: tag, offset: reader.offset, length: length))
            try reader.skip(length)
        }
    }
}
